import ipaddr from 'ipaddr.js';

/**
 * Where webhooks may point. A gateway sits inside the consortium's network, so a URL an agency
 * registers must not turn it into a client of that network: a destination's host must be on the
 * operator's allow-list, and every address it stands for must be public unicast, or inside a range
 * the operator allowed by name. Cloud metadata addresses are never allowed.
 */
export interface DestinationPolicy {
  /** Why a webhook URL may not be registered or called (its literal address, or a host off the allow-list), or undefined. */
  refuseUrl(url: URL): Refusal | undefined;
  /** Why a resolved address may not be connected to, or undefined. */
  refuseAddress(address: string): Refusal | undefined;
}

/** Why a destination is refused: its address (REFUSED_ADDRESS) or its host name (REFUSED_HOST). */
export interface Refusal {
  readonly code: 'REFUSED_ADDRESS' | 'REFUSED_HOST';
  readonly message: string;
}

export interface DestinationRules {
  /** Exact host names (or address literals) and `*.suffix` patterns, as `parseHostPattern` reads them. */
  readonly allowedHosts: readonly string[];
  /** CIDR ranges (or single addresses) allowed although they are not public unicast. */
  readonly allowedAddresses: readonly string[];
}

/**
 * Addresses at which clouds serve instance metadata and credentials. Most sit in ranges refused
 * anyway; they are named so that no allowed range can open them, and because some (Azure's wire
 * server) are otherwise public.
 */
const METADATA_ADDRESSES: ReadonlySet<string> = new Set(
  [
    '169.254.169.254', // AWS, GCP, Azure, Huawei Cloud, OpenStack
    '169.254.169.253', // AWS VPC DNS
    '169.254.170.2', // AWS ECS task credentials
    '169.254.170.23', // AWS EKS pod identity
    '169.254.0.23', // Tencent Cloud
    '100.100.100.200', // Alibaba Cloud
    '168.63.129.16', // Azure wire server
    '192.0.0.192', // Oracle Cloud
    'fd00:ec2::254', // AWS, over IPv6
    'fd00:ec2::23', // AWS EKS pod identity, over IPv6
  ].map((address) => ipaddr.parse(address).toNormalizedString()),
);

/** IPv6 global unicast (RFC 4291): outside it lie the deprecated IPv4-compatible ::a.b.c.d and other oddities. */
const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3');

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** An address literal of a URL host (`[::1]` or `127.0.0.1`), or undefined for a name. */
export function hostAddress(hostname: string): string | undefined {
  const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  // The WHATWG URL parser has already turned 2130706433, 0x7f.1 and 0177.0.0.1 into dotted quads.
  return ipaddr.IPv4.isValidFourPartDecimal(bare) || ipaddr.IPv6.isValid(bare) ? bare : undefined;
}

/** A host name as URLs compare it: lower case, IDN in punycode, without a trailing dot. */
function canonicalHost(host: string): string | undefined {
  try {
    const { hostname, port, username, pathname, search } = new URL(`http://${host}`);
    if (port !== '' || username !== '' || pathname !== '/' || search !== '') return undefined;
    return hostname.replace(/\.$/, '');
  } catch {
    return undefined;
  }
}

/** A WEBHOOK_ALLOWED_HOSTS entry: an exact host, or `*.suffix` for any name below the suffix (not the suffix itself). */
export interface HostPattern {
  readonly host: string;
  readonly subdomains: boolean;
}

/** Reads an allow-list entry, or undefined when it is not one (`*`, `*.`, ports, paths …). */
export function parseHostPattern(entry: string): HostPattern | undefined {
  const subdomains = entry.startsWith('*.');
  const host = canonicalHost(subdomains ? entry.slice(2) : entry);
  if (host === undefined || host === '' || host.includes('*')) return undefined;
  // `*.10.0.0.1` would match nothing a URL can hold; `*.com`-like patterns are the operator's choice.
  if (subdomains && hostAddress(host) !== undefined) return undefined;
  return { host, subdomains };
}

/** Reads a WEBHOOK_ALLOWED_ADDRESSES entry (`10.20.0.0/16`, `fd12::/64`, or one address), or undefined. */
export function parseAddressRange(entry: string): Range | undefined {
  try {
    if (ipaddr.isValidCIDR(entry)) return ipaddr.parseCIDR(entry);
    const address = ipaddr.parse(entry);
    return [address, address.kind() === 'ipv4' ? 32 : 128];
  } catch {
    return undefined;
  }
}

const hostMatches = (hostname: string, pattern: HostPattern): boolean =>
  pattern.subdomains ? hostname.endsWith(`.${pattern.host}`) : hostname === pattern.host;

/** The named range an address falls in when it is not public unicast (`loopback`, `private` …), or undefined. */
function specialRange(address: ipaddr.IPv4 | ipaddr.IPv6): string | undefined {
  if (address instanceof ipaddr.IPv6 && !address.match(GLOBAL_UNICAST_V6)) {
    const range = address.range();
    return range === 'unicast' ? 'outside IPv6 global unicast' : range;
  }
  const range = address.range();
  return range === 'unicast' ? undefined : range;
}

const inRange = (address: ipaddr.IPv4 | ipaddr.IPv6, [network, bits]: Range): boolean =>
  address.kind() === network.kind() && address.match(network, bits);

export function destinationPolicy(rules: Readonly<DestinationRules>): DestinationPolicy {
  const hosts = rules.allowedHosts.map((entry) => {
    const pattern = parseHostPattern(entry);
    if (!pattern) throw new Error(`not a host pattern: ${entry}`);
    return pattern;
  });
  const ranges = rules.allowedAddresses.map((entry) => {
    const range = parseAddressRange(entry);
    if (!range) throw new Error(`not an address range: ${entry}`);
    return range;
  });

  const addressProblem = (text: string): string | undefined => {
    if (!ipaddr.isValid(text)) return `${text} is not an IP address`;
    // An IPv4-mapped IPv6 address (::ffff:127.0.0.1) reaches the IPv4 address it carries: judge that one.
    const address = ipaddr.process(text);
    if (METADATA_ADDRESSES.has(address.toNormalizedString())) return `${address.toString()} serves cloud instance metadata`;
    const range = specialRange(address);
    if (range === undefined || ranges.some((allowed) => inRange(address, allowed))) return undefined;
    return `${address.toString()} is a ${range} address, not allowed by WEBHOOK_ALLOWED_ADDRESSES`;
  };
  const refuseAddress = (text: string): Refusal | undefined => {
    const message = addressProblem(text);
    return message === undefined ? undefined : { code: 'REFUSED_ADDRESS', message };
  };

  return {
    refuseAddress,
    refuseUrl(url) {
      const literal = hostAddress(url.hostname);
      const refused = literal === undefined ? undefined : refuseAddress(literal);
      if (refused) return refused;
      const hostname = url.hostname.replace(/\.$/, '');
      if (hosts.some((pattern) => hostMatches(hostname, pattern))) return undefined;
      return { code: 'REFUSED_HOST', message: `${hostname} is not on the allow-list (WEBHOOK_ALLOWED_HOSTS)` };
    },
  };
}
