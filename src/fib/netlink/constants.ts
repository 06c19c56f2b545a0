/**
 * DOC: the numbers of the rtnetlink protocol, as `const enum`s so they vanish at compile time.
 *
 * Taken from the Linux UAPI headers (`linux/netlink.h`, `linux/rtnetlink.h`, `linux/if_link.h`,
 * `linux/if_tunnel.h`, `linux/if_addr.h`, `linux/neighbour.h`). Netlink is host byte order; on the x86-64 and
 * arm64 targets Petrel ships for that is little endian, which the codec assumes. Only the values the FIB layer
 * uses are listed; the kernel ignores nothing we send, so adding a value here means adding its encoder too.
 */

/** `struct nlmsghdr` is 16 octets; every message and attribute is padded to 4 octets (NLMSG_ALIGNTO). */
export const NLMSG_HDRLEN = 16;
export const NLA_HDRLEN = 4;

export const enum NlMsgType {
  Noop = 1,
  Error = 2,
  Done = 3,
  Overrun = 4,
}

export const enum NlFlag {
  Request = 0x1,
  Multi = 0x2,
  Ack = 0x4,
  Echo = 0x8,
  DumpIntr = 0x10,
  /** GET requests: return the whole table. */
  Root = 0x100,
  Match = 0x200,
  Dump = 0x300,
  /** NEW requests: override an existing object. */
  Replace = 0x100,
  /** NEW requests: fail with EEXIST if it exists. */
  Excl = 0x200,
  /** NEW requests: create if it does not exist. */
  Create = 0x400,
  Append = 0x800,
  /** NLMSG_ERROR flags: the original request was capped / extended ACK TLVs follow. */
  Capped = 0x100,
  AckTlvs = 0x200,
}

/** rtnetlink message types (`RTM_*`). */
export const enum RtmType {
  NewLink = 16,
  DelLink = 17,
  GetLink = 18,
  NewAddr = 20,
  DelAddr = 21,
  GetAddr = 22,
  NewRoute = 24,
  DelRoute = 25,
  GetRoute = 26,
  NewNeigh = 28,
  DelNeigh = 29,
  GetNeigh = 30,
  NewNexthop = 104,
  DelNexthop = 105,
  GetNexthop = 106,
}

export const enum Af {
  Unspec = 0,
  Inet = 2,
  Bridge = 7,
  Inet6 = 10,
}

/** `rtm_type`. */
export const enum RouteType {
  Unspec = 0,
  Unicast = 1,
  Local = 2,
  Broadcast = 3,
  Anycast = 4,
  Multicast = 5,
  Blackhole = 6,
  Unreachable = 7,
  Prohibit = 8,
  Throw = 9,
}

/** `rtm_protocol`. 12 is BIRD's, which Calico's Felix treats as ours (calico-contract §2). */
export const enum RouteProtocol {
  Unspec = 0,
  Redirect = 1,
  Kernel = 2,
  Boot = 3,
  Static = 4,
  Bird = 12,
}

/** `rtm_scope`. */
export const enum RouteScope {
  Universe = 0,
  Site = 200,
  Link = 253,
  Host = 254,
  Nowhere = 255,
}

export const enum RouteTable {
  Unspec = 0,
  Default = 253,
  Main = 254,
  Local = 255,
}

/** `rtm_flags` / `rtnh_flags`. */
export const enum RouteFlag {
  Dead = 0x1,
  Pervasive = 0x2,
  Onlink = 0x4,
  Offload = 0x8,
  Linkdown = 0x10,
  Unresolved = 0x20,
  Trap = 0x40,
}

/** Route attributes (`RTA_*`). */
export const enum Rta {
  Dst = 1,
  Src = 2,
  Iif = 3,
  Oif = 4,
  Gateway = 5,
  Priority = 6,
  Prefsrc = 7,
  Metrics = 8,
  Multipath = 9,
  Flow = 11,
  CacheInfo = 12,
  Table = 15,
  Mark = 16,
  MfcStats = 17,
  Via = 18,
  NewDst = 19,
  Pref = 20,
  EncapType = 21,
  Encap = 22,
  Expires = 23,
  /** u32: the id of a nexthop object (kernel ≥ 5.3) the route uses instead of its own next hops. */
  NhId = 30,
}

/** Nexthop object attributes (`NHA_*`, linux/nexthop.h). */
export const enum Nha {
  Id = 1,
  Group = 2,
  GroupType = 3,
  Blackhole = 4,
  Oif = 5,
  Gateway = 6,
  EncapType = 7,
  Encap = 8,
  Groups = 9,
  Master = 10,
  Fdb = 11,
}

/** Link attributes (`IFLA_*`). */
export const enum Ifla {
  Address = 1,
  Broadcast = 2,
  Ifname = 3,
  Mtu = 4,
  Link = 5,
  Qdisc = 6,
  Stats = 7,
  Master = 10,
  Operstate = 16,
  Linkmode = 17,
  Linkinfo = 18,
  NetNsPid = 19,
  Group = 27,
  Stats64 = 23,
  Carrier = 33,
}

export const enum IflaInfo {
  Kind = 1,
  Data = 2,
  SlaveKind = 4,
}

/** VXLAN device attributes, nested in IFLA_INFO_DATA (`IFLA_VXLAN_*`). */
export const enum IflaVxlan {
  Id = 1,
  Group = 2,
  Link = 3,
  Local = 4,
  Ttl = 5,
  Tos = 6,
  Learning = 7,
  Ageing = 8,
  Limit = 9,
  PortRange = 10,
  Proxy = 11,
  Rsc = 12,
  L2miss = 13,
  L3miss = 14,
  /** The destination UDP port, network byte order. */
  Port = 15,
  Group6 = 16,
  Local6 = 17,
  UdpCsum = 18,
}

/** IP-in-IP tunnel attributes, nested in IFLA_INFO_DATA (`IFLA_IPTUN_*`). */
export const enum IflaIptun {
  Link = 1,
  Local = 2,
  Remote = 3,
  Ttl = 4,
  Tos = 5,
  EncapLimit = 6,
  Flowinfo = 7,
  Flags = 8,
  Proto = 9,
  Pmtudisc = 10,
  EncapType = 15,
  EncapFlags = 16,
  EncapSport = 17,
  EncapDport = 18,
  CollectMetadata = 19,
  Fwmark = 20,
}

/** `ifi_flags`. */
export const enum Iff {
  Up = 0x1,
  Broadcast = 0x2,
  Loopback = 0x8,
  PointToPoint = 0x10,
  Running = 0x40,
  Noarp = 0x80,
  Multicast = 0x1000,
  LowerUp = 0x10000,
}

/** Address attributes (`IFA_*`). */
export const enum Ifa {
  Address = 1,
  Local = 2,
  Label = 3,
  Broadcast = 4,
  CacheInfo = 6,
  Flags = 8,
}

/** Neighbour attributes (`NDA_*`). */
export const enum Nda {
  Dst = 1,
  Lladdr = 2,
  CacheInfo = 3,
  Probes = 4,
  Vlan = 5,
  Port = 6,
  Vni = 7,
  Ifindex = 8,
  Master = 9,
}

/** `ndm_flags`. */
export const enum Ntf {
  Use = 0x01,
  /** The FDB entry belongs to the device itself (VXLAN), not to a bridge master. */
  Self = 0x02,
  Master = 0x04,
  Proxy = 0x08,
  ExtLearned = 0x10,
  Router = 0x80,
}

/** `ndm_state`. */
export const enum Nud {
  Incomplete = 0x01,
  Reachable = 0x02,
  Stale = 0x04,
  Delay = 0x08,
  Probe = 0x10,
  Failed = 0x20,
  Noarp = 0x40,
  Permanent = 0x80,
}

/** rtnetlink multicast groups (`RTNLGRP_*`), the numbers for NETLINK_ADD_MEMBERSHIP. */
export const enum RtnlGroup {
  Link = 1,
  Notify = 2,
  Neigh = 3,
  Tc = 4,
  Ipv4Ifaddr = 5,
  Ipv4Mroute = 6,
  Ipv4Route = 7,
  Ipv4Rule = 8,
  Ipv6Ifaddr = 9,
  Ipv6Mroute = 10,
  Ipv6Route = 11,
  Ipv6Ifinfo = 12,
  Ipv6Prefix = 18,
  Ipv6Rule = 19,
  Nsid = 28,
  Nexthop = 32,
}

/** `NETLINK_ROUTE`, the protocol number of rtnetlink sockets. */
export const NETLINK_ROUTE = 0;

/** errno values the FIB layer reacts to (Linux x86-64/arm64 numbering). */
export const enum Errno {
  EPERM = 1,
  ENOENT = 2,
  ESRCH = 3,
  ENXIO = 6,
  EEXIST = 17,
  ENODEV = 19,
  EINVAL = 22,
  ENETUNREACH = 101,
  ENOBUFS = 105,
  EOPNOTSUPP = 95,
  EAFNOSUPPORT = 97,
  EHOSTUNREACH = 113,
}
