// Command interop checks a running correction-ledger gateway with the transparency-dev Go
// libraries: its checkpoints parse and verify as C2SP signed notes (golang.org/x/mod/sumdb/note,
// github.com/transparency-dev/formats), cosigned by a quorum of the trust file's agencies and
// witnesses, and its inclusion and consistency proofs verify with github.com/transparency-dev/merkle.
// It exits non-zero on the first failure.
package main

import (
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/transparency-dev/formats/log"
	fnote "github.com/transparency-dev/formats/note"
	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/note"
)

type trustFile struct {
	Origin   string `json:"origin"`
	Agencies map[string]struct {
		NoteKeys []string `json:"noteKeys"`
	} `json:"agencies"`
	Witnesses []struct {
		Name string `json:"name"`
		Key  string `json:"key"`
	} `json:"witnesses"`
	Policy struct {
		Agencies  int `json:"agencies"`
		Witnesses int `json:"witnesses"`
	} `json:"policy"`
}

type signedCheckpoint struct {
	TreeSize uint64 `json:"treeSize"`
	Root     string `json:"root"`
	Note     string `json:"note"`
}

type checker struct {
	gateway  string
	trust    trustFile
	owners   map[string]string // "name/keyhash" -> agency or witness
	verifier note.Verifiers
	logKeys  []note.Verifier
	client   http.Client
}

func main() {
	gateway := flag.String("gateway", "http://127.0.0.1:8080", "gateway URL")
	trustPath := flag.String("trust", "trust.json", "the consortium trust file")
	flag.Parse()
	c, err := newChecker(*gateway, *trustPath)
	if err == nil {
		err = c.run()
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL  %v\n", err)
		os.Exit(1)
	}
}

func newChecker(gateway, trustPath string) (*checker, error) {
	raw, err := os.ReadFile(trustPath)
	if err != nil {
		return nil, err
	}
	c := &checker{gateway: gateway, owners: map[string]string{}, client: http.Client{Timeout: 10 * time.Second}}
	if err := json.Unmarshal(raw, &c.trust); err != nil {
		return nil, fmt.Errorf("trust file: %w", err)
	}
	var all []note.Verifier
	add := func(vkey, owner string, logKey bool) error {
		v, err := fnote.NewVerifier(vkey)
		if err != nil {
			return fmt.Errorf("vkey of %s: %w", owner, err)
		}
		c.owners[fmt.Sprintf("%s/%08x", v.Name(), v.KeyHash())] = owner
		all = append(all, v)
		if logKey {
			c.logKeys = append(c.logKeys, v)
		}
		return nil
	}
	for agency, keys := range c.trust.Agencies {
		for _, vkey := range keys.NoteKeys {
			if err := add(vkey, "agency:"+agency, true); err != nil {
				return nil, err
			}
		}
	}
	for _, w := range c.trust.Witnesses {
		if err := add(w.Key, "witness:"+w.Name, false); err != nil {
			return nil, err
		}
	}
	c.verifier = note.VerifierList(all...)
	return c, nil
}

func (c *checker) get(path string) ([]byte, error) {
	resp, err := c.client.Get(c.gateway + path)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %d %s", path, resp.StatusCode, body)
	}
	return body, nil
}

func (c *checker) getJSON(path string, into any) error {
	body, err := c.get(path)
	if err != nil {
		return err
	}
	return json.Unmarshal(body, into)
}

// checkpoint opens a signed note with every trusted key, parses it as a checkpoint of the trust
// file's origin signed by an agency, and counts distinct agencies and witnesses against the policy.
func (c *checker) checkpoint(text []byte) (*log.Checkpoint, error) {
	var cp *log.Checkpoint
	var err error
	for _, logKey := range c.logKeys {
		if cp, _, _, err = log.ParseCheckpoint(text, c.trust.Origin, logKey, c.allExcept(logKey)...); err == nil {
			break
		}
	}
	if cp == nil {
		return nil, fmt.Errorf("checkpoint: %v", err)
	}
	n, err := note.Open(text, c.verifier)
	if err != nil {
		return nil, fmt.Errorf("checkpoint note: %w", err)
	}
	agencies, witnesses := map[string]bool{}, map[string]bool{}
	for _, sig := range n.Sigs {
		owner := c.owners[fmt.Sprintf("%s/%08x", sig.Name, sig.Hash)]
		if owner[:7] == "agency:" {
			agencies[owner] = true
		} else {
			witnesses[owner] = true
		}
		if _, err := fnote.CoSigV1Timestamp(sig); err != nil {
			return nil, fmt.Errorf("cosignature of %s has no timestamp: %w", sig.Name, err)
		}
	}
	if len(agencies) < c.trust.Policy.Agencies || len(witnesses) < c.trust.Policy.Witnesses {
		return nil, fmt.Errorf("checkpoint %d: %d agencies and %d witnesses, policy wants %d and %d", cp.Size, len(agencies), len(witnesses), c.trust.Policy.Agencies, c.trust.Policy.Witnesses)
	}
	return cp, nil
}

func (c *checker) allExcept(skip note.Verifier) []note.Verifier {
	var others []note.Verifier
	for _, v := range c.logKeys {
		if v != skip {
			others = append(others, v)
		}
	}
	for _, w := range c.trust.Witnesses {
		if v, err := fnote.NewVerifier(w.Key); err == nil {
			others = append(others, v)
		}
	}
	return others
}

func (c *checker) run() error {
	latestNote, err := c.get("/v1/log/checkpoint")
	if err != nil {
		return err
	}
	latest, err := c.checkpoint(latestNote)
	if err != nil {
		return err
	}
	fmt.Printf("PASS  checkpoint %s size %d, signed by the policy's agencies and witnesses\n", latest.Origin, latest.Size)
	var page struct {
		Checkpoints []signedCheckpoint `json:"checkpoints"`
	}
	if err := c.getJSON("/v1/log/checkpoints?limit=1000", &page); err != nil {
		return err
	}
	for _, s := range page.Checkpoints {
		cp, err := c.checkpoint([]byte(s.Note))
		if err != nil {
			return err
		}
		if hex.EncodeToString(cp.Hash) != s.Root || cp.Size != s.TreeSize {
			return fmt.Errorf("checkpoint %d: its note says size %d root %x", s.TreeSize, cp.Size, cp.Hash)
		}
	}
	fmt.Printf("PASS  %d checkpoints listed, each a valid note\n", len(page.Checkpoints))
	if err := c.leaves(latest); err != nil {
		return err
	}
	return c.consistency(page.Checkpoints)
}

// leaves rebuilds the root from the leaves with a compact range, and checks an inclusion proof of every leaf.
func (c *checker) leaves(latest *log.Checkpoint) error {
	var leaves struct {
		Leaves []struct {
			Index     uint64 `json:"index"`
			EntryHash string `json:"entryHash"`
		} `json:"leaves"`
	}
	if err := c.getJSON(fmt.Sprintf("/v1/log/leaves?start=0&end=%d", latest.Size), &leaves); err != nil {
		return err
	}
	hasher := rfc6962.DefaultHasher
	rf := compact.RangeFactory{Hash: hasher.HashChildren}
	cr := rf.NewEmptyRange(0)
	for _, leaf := range leaves.Leaves {
		entryHash, err := hex.DecodeString(leaf.EntryHash)
		if err != nil {
			return err
		}
		leafHash := hasher.HashLeaf(entryHash)
		if err := cr.Append(leafHash, nil); err != nil {
			return err
		}
		var p struct {
			AuditPath []string `json:"auditPath"`
		}
		if err := c.getJSON(fmt.Sprintf("/v1/log/inclusion?index=%d&size=%d", leaf.Index, latest.Size), &p); err != nil {
			return err
		}
		if err := proof.VerifyInclusion(hasher, leaf.Index, latest.Size, leafHash, decodeAll(p.AuditPath), latest.Hash); err != nil {
			return fmt.Errorf("inclusion of leaf %d in %d: %w", leaf.Index, latest.Size, err)
		}
	}
	if uint64(len(leaves.Leaves)) != latest.Size {
		return fmt.Errorf("%d leaves for a checkpoint of %d", len(leaves.Leaves), latest.Size)
	}
	root, err := cr.GetRootHash(nil)
	if err != nil || hex.EncodeToString(root) != hex.EncodeToString(latest.Hash) {
		return fmt.Errorf("the leaves hash to %x, the checkpoint says %x", root, latest.Hash)
	}
	fmt.Printf("PASS  %d leaves rebuild the root; an inclusion proof of each verifies\n", latest.Size)
	return nil
}

// consistency checks a proof between every pair of adjacent listed checkpoints, and from the smallest to the largest.
func (c *checker) consistency(list []signedCheckpoint) error {
	pairs := [][2]signedCheckpoint{}
	for i := 0; i+1 < len(list); i++ {
		pairs = append(pairs, [2]signedCheckpoint{list[i+1], list[i]})
	}
	if len(list) > 1 {
		pairs = append(pairs, [2]signedCheckpoint{list[len(list)-1], list[0]})
	}
	for _, pair := range pairs {
		from, to := pair[0], pair[1]
		var p struct {
			Proof []string `json:"proof"`
		}
		if err := c.getJSON(fmt.Sprintf("/v1/log/consistency?from=%d&to=%d", from.TreeSize, to.TreeSize), &p); err != nil {
			return err
		}
		r1, _ := hex.DecodeString(from.Root)
		r2, _ := hex.DecodeString(to.Root)
		if err := proof.VerifyConsistency(rfc6962.DefaultHasher, from.TreeSize, to.TreeSize, decodeAll(p.Proof), r1, r2); err != nil {
			return fmt.Errorf("consistency %d→%d: %w", from.TreeSize, to.TreeSize, err)
		}
	}
	fmt.Printf("PASS  %d consistency proofs verify\n", len(pairs))
	return nil
}

func decodeAll(hexes []string) [][]byte {
	out := make([][]byte, 0, len(hexes))
	for _, h := range hexes {
		b, _ := hex.DecodeString(h)
		out = append(out, b)
	}
	return out
}
