import { common, msp } from '@hyperledger/fabric-protos';
import type { VerifiedSigner } from 'correction-verifier/fabric-block';

/** A signature policy's rule, as cauthdsl evaluates it. */
export type PolicyRule = { readonly signedBy: number } | { readonly n: number; readonly rules: readonly PolicyRule[] };

/** Whom a SignedBy names: one certificate, any member of an MSP, or something this audit does not evaluate. */
export type PolicyPrincipal =
  | { readonly kind: 'identity'; readonly mspId: string; readonly pem: string }
  | { readonly kind: 'member'; readonly mspId: string }
  | { readonly kind: 'unsupported' };

/**
 * The channel's BlockValidation policy (in the Orderer group). BFT channels carry a signature
 * policy, n of the consenters' identities; Raft channels an implicit meta policy over the orderer
 * orgs (ANY Writers), evaluated here as signatures of members of that many orgs.
 */
export type BlockPolicy =
  | { readonly type: 'signature'; readonly rule: PolicyRule; readonly principals: readonly PolicyPrincipal[] }
  | { readonly type: 'implicit'; readonly rule: 'ANY' | 'ALL' | 'MAJORITY'; readonly orgs: readonly string[] };

const IMPLICIT_RULES = ['ANY', 'ALL', 'MAJORITY'] as const;

/** The BlockValidation policy of a channel configuration's root group. */
export function blockPolicyOf(root: common.ConfigGroup): BlockPolicy {
  const orderer = root.getGroupsMap().get('Orderer');
  const policy = orderer?.getPoliciesMap().get('BlockValidation')?.getPolicy();
  const orgs: string[] = [];
  orderer?.getGroupsMap().forEach((group: common.ConfigGroup) => {
    orgs.push(...mspIdOf(group));
  });
  if (policy?.getType() === common.Policy.PolicyType.SIGNATURE) {
    const envelope = common.SignaturePolicyEnvelope.deserializeBinary(policy.getValue_asU8());
    const rule = envelope.getRule();
    if (!rule) throw new Error('the BlockValidation policy has no rule');
    return { type: 'signature', rule: ruleOf(rule), principals: envelope.getIdentitiesList().map(principalOf) };
  }
  if (policy?.getType() === common.Policy.PolicyType.IMPLICIT_META) {
    const meta = common.ImplicitMetaPolicy.deserializeBinary(policy.getValue_asU8());
    const rule = IMPLICIT_RULES.at(meta.getRule()) ?? 'ALL';
    return { type: 'implicit', rule, orgs };
  }
  throw new Error('the channel configuration has no BlockValidation policy this audit evaluates');
}

function mspIdOf(group: common.ConfigGroup | undefined): string[] {
  const value = group?.getValuesMap().get('MSP');
  if (!value) return [];
  return [msp.FabricMSPConfig.deserializeBinary(msp.MSPConfig.deserializeBinary(value.getValue_asU8()).getConfig_asU8()).getName()];
}

function ruleOf(rule: common.SignaturePolicy): PolicyRule {
  if (rule.hasNOutOf()) {
    const nOutOf = rule.getNOutOf();
    return { n: nOutOf?.getN() ?? 0, rules: (nOutOf?.getRulesList() ?? []).map(ruleOf) };
  }
  return { signedBy: rule.getSignedBy() };
}

function principalOf(principal: msp.MSPPrincipal): PolicyPrincipal {
  const bytes = principal.getPrincipal_asU8();
  switch (principal.getPrincipalClassification()) {
    case msp.MSPPrincipal.Classification.IDENTITY: {
      const identity = msp.SerializedIdentity.deserializeBinary(bytes);
      return { kind: 'identity', mspId: identity.getMspid(), pem: Buffer.from(identity.getIdBytes_asU8()).toString('utf8') };
    }
    case msp.MSPPrincipal.Classification.ROLE:
      return { kind: 'member', mspId: msp.MSPRole.deserializeBinary(bytes).getMspIdentifier() };
    default:
      return { kind: 'unsupported' };
  }
}

/** Whether the verified signers satisfy the policy; each signature counts once, as in cauthdsl. */
export function satisfiesPolicy(policy: BlockPolicy, signers: readonly VerifiedSigner[]): boolean {
  if (policy.type === 'signature') return evaluate(policy.rule, policy.principals, signers, signers.map(() => false));
  const orgs = new Set(signers.map((s) => s.mspId).filter((id) => policy.orgs.includes(id)));
  if (policy.rule === 'ANY') return orgs.size >= 1;
  if (policy.rule === 'ALL') return orgs.size === policy.orgs.length;
  return orgs.size > policy.orgs.length / 2;
}

function evaluate(rule: PolicyRule, principals: readonly PolicyPrincipal[], signers: readonly VerifiedSigner[], used: boolean[]): boolean {
  if ('signedBy' in rule) {
    const principal = principals[rule.signedBy];
    const index = signers.findIndex((signer, i) => !used[i] && principal !== undefined && matches(principal, signer));
    if (index < 0) return false;
    used[index] = true;
    return true;
  }
  let satisfied = 0;
  for (const child of rule.rules) {
    const trial = [...used];
    if (evaluate(child, principals, signers, trial)) {
      satisfied++;
      trial.forEach((value, i) => (used[i] = value));
    }
  }
  return satisfied >= rule.n;
}

function matches(principal: PolicyPrincipal, signer: VerifiedSigner): boolean {
  if (principal.kind === 'identity') return principal.mspId === signer.mspId && principal.pem.trim() === signer.pem.trim();
  return principal.kind === 'member' && principal.mspId === signer.mspId;
}

/** The policy for a person: "3 of 4 consenters", "ANY of 4 orderer orgs". */
export function describePolicy(policy: BlockPolicy): string {
  if (policy.type === 'implicit') return `${policy.rule} of ${policy.orgs.length} orderer orgs`;
  return 'signedBy' in policy.rule ? 'one named orderer' : `${policy.rule.n} of ${policy.rule.rules.length} orderers`;
}
