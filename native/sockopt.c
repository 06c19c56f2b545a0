/*
 * DOC: petrel_sockopt, the few socket options Node.js cannot set: a thin N-API wrapper around socket(2),
 * setsockopt(2) and getsockopt(2) on file descriptors owned by Node's net module.
 *
 * Why native code: Node's net API has no way to set TCP_MD5SIG (RFC 2385 TCP MD5 signatures), IP_TTL/IP_MINTTL or
 * IPV6_UNICAST_HOPS/IPV6_MINHOPCOUNT (RFC 5082 GTSM) on a TCP socket, no npm package covering them is maintained,
 * and the MD5 key must be on the socket before the SYN is sent: so the socket is created here, the options are set,
 * and the fd is handed to `new net.Socket({ fd })`, which then binds and connects it through libuv.
 * Exports: socket(v6), setInt(fd, level, name, value), getInt(fd, level, name), setMd5Key(fd, address, key),
 * savedSynTtl(fd), attachFilter(fd, program), the constants the TypeScript side needs, and (nlmonitor.c) the
 * in-process rtnetlink monitor. attachFilter serves the FIB's kernel monitor: a classic BPF program on its netlink
 * socket drops the notifications of Petrel's own route writes inside the kernel, so a million-route install does
 * not wake the monitor a million times. Every failure throws an Error whose `code` is the errno name.
 * Linux only (TCP_MD5SIG, IP_MINTTL and IPV6_MINHOPCOUNT are Linux socket options).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <linux/filter.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>
#include <node_api.h>
#include "napi-util.h"

#ifndef IP_MINTTL
#define IP_MINTTL 21
#endif
#ifndef IPV6_MINHOPCOUNT
#define IPV6_MINHOPCOUNT 73
#endif

static int get_i32_args(napi_env env, napi_callback_info info, size_t want, int32_t *out) {
  napi_value argv[4];
  size_t argc = 4;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < want) {
    napi_throw_type_error(env, NULL, "too few arguments");
    return -1;
  }
  for (size_t i = 0; i < want; i++) {
    if (napi_get_value_int32(env, argv[i], &out[i]) != napi_ok) {
      napi_throw_type_error(env, NULL, "arguments must be integers");
      return -1;
    }
  }
  return 0;
}

/* socket(v6: boolean): a new non-blocking, close-on-exec TCP socket of the family; returns its fd. */
static napi_value js_socket(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  size_t argc = 1;
  bool v6 = false;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || napi_get_value_bool(env, argv[0], &v6) != napi_ok) {
    napi_throw_type_error(env, NULL, "socket(v6: boolean)");
    return NULL;
  }
  int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
  if (fd < 0) return throw_errno(env, "socket", errno);
  napi_value r;
  napi_create_int32(env, fd, &r);
  return r;
}

/* setInt(fd, level, name, value): setsockopt with an int value. */
static napi_value js_set_int(napi_env env, napi_callback_info info) {
  int32_t a[4];
  if (get_i32_args(env, info, 4, a) < 0) return NULL;
  int v = a[3];
  if (setsockopt(a[0], a[1], a[2], &v, sizeof v) < 0) return throw_errno(env, "setsockopt", errno);
  return NULL;
}

/* getInt(fd, level, name): getsockopt of an int value. */
static napi_value js_get_int(napi_env env, napi_callback_info info) {
  int32_t a[3];
  if (get_i32_args(env, info, 3, a) < 0) return NULL;
  int v = 0;
  socklen_t len = sizeof v;
  if (getsockopt(a[0], a[1], a[2], &v, &len) < 0) return throw_errno(env, "getsockopt", errno);
  napi_value r;
  napi_create_int32(env, v, &r);
  return r;
}

/*
 * setMd5Key(fd, address, key): TCP_MD5SIG for one peer address (RFC 2385); an empty key removes it. On an AF_INET6
 * socket an IPv4 address is given as IPv4-mapped, which Linux stores as an IPv4 key (dual-stack listeners).
 */
static napi_value js_set_md5(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  size_t argc = 3;
  int32_t fd;
  char addr[INET6_ADDRSTRLEN + 1];
  size_t addr_len = 0, key_len = 0;
  struct tcp_md5sig sig;
  memset(&sig, 0, sizeof sig);
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 3 || napi_get_value_int32(env, argv[0], &fd) != napi_ok ||
      napi_get_value_string_utf8(env, argv[1], addr, sizeof addr, &addr_len) != napi_ok ||
      napi_get_value_string_utf8(env, argv[2], (char *)sig.tcpm_key, sizeof sig.tcpm_key, &key_len) != napi_ok) {
    napi_throw_type_error(env, NULL, "setMd5Key(fd: number, address: string, key: string)");
    return NULL;
  }
  if (key_len >= TCP_MD5SIG_MAXKEYLEN) {
    napi_throw_range_error(env, "ERANGE", "TCP MD5 key is longer than 79 octets");
    return NULL;
  }
  struct sockaddr_storage own;
  socklen_t own_len = sizeof own;
  if (getsockname(fd, (struct sockaddr *)&own, &own_len) < 0) return throw_errno(env, "getsockname", errno);
  struct in_addr a4;
  struct in6_addr a6;
  int is4 = inet_pton(AF_INET, addr, &a4) == 1;
  if (!is4 && inet_pton(AF_INET6, addr, &a6) != 1) {
    napi_throw_type_error(env, "EINVAL", "setMd5Key: not an IP address");
    return NULL;
  }
  if (own.ss_family == AF_INET6) {
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&sig.tcpm_addr;
    s6->sin6_family = AF_INET6;
    if (is4) {
      s6->sin6_addr.s6_addr[10] = 0xff;
      s6->sin6_addr.s6_addr[11] = 0xff;
      memcpy(&s6->sin6_addr.s6_addr[12], &a4, 4);
    } else {
      s6->sin6_addr = a6;
    }
  } else if (is4) {
    struct sockaddr_in *s4 = (struct sockaddr_in *)&sig.tcpm_addr;
    s4->sin_family = AF_INET;
    s4->sin_addr = a4;
  } else {
    napi_throw_error(env, "EAFNOSUPPORT", "setMd5Key: an IPv6 peer on an IPv4 socket");
    return NULL;
  }
  sig.tcpm_keylen = (uint16_t)key_len;
  if (setsockopt(fd, IPPROTO_TCP, TCP_MD5SIG, &sig, sizeof sig) < 0) {
    /* Deleting a key that is not there is not an error for the caller. */
    if (key_len == 0 && errno == ENOENT) return NULL;
    return throw_errno(env, "setsockopt(TCP_MD5SIG)", errno);
  }
  return NULL;
}

/*
 * savedSynTtl(fd): the TTL (IPv4) or hop limit (IPv6) of the SYN that opened an accepted connection, from
 * TCP_SAVED_SYN (the listener has TCP_SAVE_SYN set); -1 when no SYN was saved. Linux frees it after one read.
 */
static napi_value js_saved_syn_ttl(napi_env env, napi_callback_info info) {
  int32_t a[1];
  if (get_i32_args(env, info, 1, a) < 0) return NULL;
  unsigned char buf[512];
  socklen_t len = sizeof buf;
  int ttl = -1;
  if (getsockopt(a[0], IPPROTO_TCP, TCP_SAVED_SYN, buf, &len) == 0) {
    if (len >= 20 && (buf[0] >> 4) == 4) ttl = buf[8];
    else if (len >= 40 && (buf[0] >> 4) == 6) ttl = buf[7];
  }
  napi_value r;
  napi_create_int32(env, ttl, &r);
  return r;
}

/* attachFilter(fd, program: Buffer): SO_ATTACH_FILTER with a classic BPF program (8 octets per struct sock_filter). */
static napi_value js_attach_filter(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  size_t argc = 2;
  int32_t fd;
  void *data;
  size_t len;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2 ||
      napi_get_value_int32(env, argv[0], &fd) != napi_ok || napi_get_buffer_info(env, argv[1], &data, &len) != napi_ok) {
    napi_throw_type_error(env, NULL, "attachFilter(fd: number, program: Buffer)");
    return NULL;
  }
  if (len == 0 || len % sizeof(struct sock_filter) != 0 || len / sizeof(struct sock_filter) > BPF_MAXINSNS) {
    napi_throw_range_error(env, NULL, "a BPF program is 1 to 4096 instructions of 8 octets");
    return NULL;
  }
  struct sock_filter *insns = malloc(len);
  if (insns == NULL) return throw_errno(env, "attachFilter", ENOMEM);
  memcpy(insns, data, len);
  struct sock_fprog prog = { .len = (unsigned short)(len / sizeof(struct sock_filter)), .filter = insns };
  int rc = setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog);
  int err = errno;
  free(insns);
  if (rc < 0) return throw_errno(env, "setsockopt(SO_ATTACH_FILTER)", err);
  return NULL;
}

static void set_int(napi_env env, napi_value obj, const char *name, int v) {
  napi_value n;
  napi_create_int32(env, v, &n);
  napi_set_named_property(env, obj, name, n);
}

/* nlmonitor.c: the in-process rtnetlink monitor (nlMonitor* exports). */
void nlmonitor_init(napi_env env, napi_value exports);
/* nlwriter.c: the native route-writer thread (nlWriter* exports). */
void nlwriter_init(napi_env env, napi_value exports);

static napi_value init(napi_env env, napi_value exports) {
  nlmonitor_init(env, exports);
  nlwriter_init(env, exports);
  set_fn(env, exports, "socket", js_socket);
  set_fn(env, exports, "setInt", js_set_int);
  set_fn(env, exports, "getInt", js_get_int);
  set_fn(env, exports, "setMd5Key", js_set_md5);
  set_fn(env, exports, "savedSynTtl", js_saved_syn_ttl);
  set_fn(env, exports, "attachFilter", js_attach_filter);
  set_int(env, exports, "IPPROTO_TCP", IPPROTO_TCP);
  set_int(env, exports, "TCP_SAVE_SYN", TCP_SAVE_SYN);
  set_int(env, exports, "IPPROTO_IP", IPPROTO_IP);
  set_int(env, exports, "IPPROTO_IPV6", IPPROTO_IPV6);
  set_int(env, exports, "IP_TTL", IP_TTL);
  set_int(env, exports, "IP_MINTTL", IP_MINTTL);
  set_int(env, exports, "IPV6_UNICAST_HOPS", IPV6_UNICAST_HOPS);
  set_int(env, exports, "IPV6_MINHOPCOUNT", IPV6_MINHOPCOUNT);
  set_int(env, exports, "SOL_SOCKET", SOL_SOCKET);
  set_int(env, exports, "SO_RCVBUFFORCE", SO_RCVBUFFORCE);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
