/*
 * DOC: the native route writer for fib/netlink/native-route-writer.ts: one NETLINK_ROUTE request socket driven by
 * a dedicated pthread, which runs route batches (encoded messages back to back, usually in a SharedArrayBuffer the
 * FIB filled) in place and hands each outcome to JavaScript through a napi_threadsafe_function.
 *
 * Why native: the same work on a worker_thread (writer-worker.ts) costs a V8 isolate, ~18 MB RSS; this thread
 * costs its stack and a 256 KiB receive area. The kernel's insert cost still lands off the event loop (rtnetlink
 * runs every message of a sendmsg inside the syscall, in the sender's thread).
 * Protocol (as transport.ts, whose header explains it): the thread stamps sequence numbers and NLM_F_REQUEST (and
 * NLM_F_ACK in 'all' mode, clears it otherwise), cuts the batch into chunks of at most `maxChunkBytes` octets and
 * `maxChunkMessages` messages (so that the answers fit the receive buffer), sends each chunk with one sendmsg
 * followed by an NLMSG_NOOP|NLM_F_ACK sentinel, and reads answers until the sentinel's ACK. ENOBUFS (answers
 * dropped): once the socket has been quiet for DRAIN_MS a fresh sentinel is sent; the chunk's unanswered messages
 * are reported as `unknown`. NETLINK_CAP_ACK keeps answers small; NETLINK_EXT_ACK adds the kernel's reason text.
 * Callback: `callback(id, result | null, errno)`: result `{count, failed: [{index, seq, errno, type, extMessage?}],
 * unknown, acked}`, or null with the errno that ended the batch (ETIMEDOUT, EINVAL for a malformed message, or a
 * socket error).
 * Exports: nlWriterOpen(callback, recvBufferSize, sendBufferSize, maxChunkBytes, maxChunkMessages, timeoutMs)
 * → handle, nlWriterPort(handle), nlWriterSubmit(handle, id, bytes, acksAll), nlWriterRef(handle, ref),
 * nlWriterClose(handle).
 * Invariants: only this thread does blocking syscalls; a batch's memory is touched by the thread only until its
 * result is posted, and the JS side keeps it alive (and unused) until then; close sets the stop flag, wakes the
 * thread through the eventfd, joins it, then frees the queued jobs, closes the socket and releases the threadsafe
 * function (so the process may exit). A handle is freed by its finalizer; an environment cleanup hook closes it at
 * process end.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/netlink.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <node_api.h>
#include "napi-util.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif
#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NLM_F_CAPPED
#define NLM_F_CAPPED 0x100
#endif
#ifndef NLM_F_ACK_TLVS
#define NLM_F_ACK_TLVS 0x200
#endif
#define NLMSGERR_MSG 1       /* NLMSGERR_ATTR_MSG */
#define HDR 16               /* NLMSG_HDRLEN */
#define ANSWER_COST 1280     /* kernel memory per queued answer (transport.ts) */
#define DRAIN_MS 5           /* quiet time after an overrun before a replacement sentinel */
#define RX_SLOTS 64          /* datagrams per recvmmsg */
#define RX_SLOT 4096         /* octets per datagram slot (capped answers are < 300 octets) */
#define EXT_MAX 160          /* octets kept of an extended ACK text */

typedef struct {
  uint32_t index, seq;
  int32_t err;
  uint16_t type;
  char ext[EXT_MAX];
} failure_t;

typedef struct {
  int err; /* non-zero: the batch ended with this errno (no result) */
  uint32_t count, acked;
  size_t nfailed, capfailed, nunknown, capunknown;
  failure_t *failed;
  uint32_t *unknown;
} result_t;

/* A queued batch; once run, it carries its result to the main thread. */
typedef struct job {
  struct job *next;
  int32_t id;
  int all;
  uint8_t *data;
  size_t len;
  result_t r;
} job_t;

typedef struct {
  int fd, wake, running;
  atomic_int stop;
  pthread_t thread;
  pthread_mutex_t mu;
  job_t *head, *tail;
  napi_threadsafe_function tsfn;
  uint32_t seq, port;
  size_t max_bytes, max_msgs;
  int timeout_ms;
  uint8_t *answered; /* max_msgs flags of the chunk in flight */
  uint8_t *rx;       /* RX_SLOTS * RX_SLOT */
} writer_t;

enum { DONE = 0, STOPPED = -1, FAILED = -2 };

static uint32_t next_seq(writer_t *w) {
  if (++w->seq == 0) w->seq = 1;
  return w->seq;
}

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int push_failure(result_t *r, uint32_t index, uint32_t seq, int32_t err, uint16_t type, const char *ext, size_t extlen) {
  if (r->nfailed == r->capfailed) {
    size_t cap = r->capfailed ? r->capfailed * 2 : 16;
    failure_t *f = realloc(r->failed, cap * sizeof *f);
    if (f == NULL) return -1;
    r->failed = f;
    r->capfailed = cap;
  }
  failure_t *f = &r->failed[r->nfailed++];
  f->index = index;
  f->seq = seq;
  f->err = err;
  f->type = type;
  if (extlen >= EXT_MAX) extlen = EXT_MAX - 1;
  if (ext != NULL) memcpy(f->ext, ext, extlen);
  f->ext[ext != NULL ? extlen : 0] = 0;
  return 0;
}

static int push_unknown(result_t *r, uint32_t index) {
  if (r->nunknown == r->capunknown) {
    size_t cap = r->capunknown ? r->capunknown * 2 : 64;
    uint32_t *u = realloc(r->unknown, cap * sizeof *u);
    if (u == NULL) return -1;
    r->unknown = u;
    r->capunknown = cap;
  }
  r->unknown[r->nunknown++] = index;
  return 0;
}

/* The NLMSGERR_ATTR_MSG text of an NLMSG_ERROR message `m` of `len` octets, if any. */
static const char *ext_text(const uint8_t *m, size_t len, size_t *outlen) {
  struct nlmsghdr *h = (struct nlmsghdr *)m;
  if (!(h->nlmsg_flags & NLM_F_ACK_TLVS) || len < HDR + 4 + HDR) return NULL;
  uint32_t inner = ((struct nlmsghdr *)(m + HDR + 4))->nlmsg_len;
  size_t off = HDR + 4 + ((h->nlmsg_flags & NLM_F_CAPPED) ? HDR : ((inner + 3) & ~3u));
  while (off + 4 <= len) {
    uint16_t alen = *(uint16_t *)(m + off), atype = *(uint16_t *)(m + off + 2) & 0x3fff;
    if (alen < 4 || off + alen > len) break;
    if (atype == NLMSGERR_MSG) {
      *outlen = strnlen((const char *)m + off + 4, alen - 4);
      return (const char *)m + off + 4;
    }
    off += (alen + 3u) & ~3u;
  }
  return NULL;
}

/* Drains the eventfd; STOPPED when close asked the thread to end. */
static int woken(writer_t *w) {
  uint64_t v;
  if (read(w->wake, &v, sizeof v) < 0) { /* EAGAIN: already drained */ }
  return atomic_load(&w->stop) ? STOPPED : DONE;
}

static int send_sentinel(writer_t *w, uint32_t seq) {
  struct nlmsghdr s = { .nlmsg_len = HDR, .nlmsg_type = NLMSG_NOOP, .nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK, .nlmsg_seq = seq };
  ssize_t n;
  do n = send(w->fd, &s, sizeof s, 0); while (n < 0 && errno == EINTR);
  return n < 0 ? -1 : 0;
}

/* Sends one chunk of `count` stamped messages plus its sentinel and collects the answers into `r`. */
static int run_chunk(writer_t *w, uint8_t *data, size_t len, uint32_t first_seq, uint32_t first_index, uint32_t count, result_t *r) {
  uint32_t sentinel = next_seq(w);
  struct nlmsghdr s = { .nlmsg_len = HDR, .nlmsg_type = NLMSG_NOOP, .nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK, .nlmsg_seq = sentinel };
  struct iovec iov[2] = { { data, len }, { &s, sizeof s } };
  struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
  struct msghdr mh = { .msg_name = &kernel, .msg_namelen = sizeof kernel, .msg_iov = iov, .msg_iovlen = 2 };
  ssize_t sent;
  do sent = sendmsg(w->fd, &mh, 0); while (sent < 0 && errno == EINTR);
  if (sent < 0) { /* nothing of the chunk ran: every message failed with the send's errno */
    int err = errno;
    size_t off = 0;
    for (uint32_t i = 0; i < count; i++) {
      struct nlmsghdr *h = (struct nlmsghdr *)(data + off);
      if (push_failure(r, first_index + i, first_seq + i, err, h->nlmsg_type, NULL, 0) < 0) return r->err = ENOMEM, FAILED;
      off += (h->nlmsg_len + 3u) & ~3u;
    }
    return DONE;
  }
  memset(w->answered, 0, count);
  int overrun = 0, resend = 0, done = 0;
  int64_t deadline = now_ms() + w->timeout_ms;
  struct pollfd pfd[2] = { { .fd = w->fd, .events = POLLIN }, { .fd = w->wake, .events = POLLIN } };
  struct mmsghdr msgs[RX_SLOTS];
  struct iovec rxv[RX_SLOTS];
  while (!done) {
    int64_t left = deadline - now_ms();
    if (left <= 0) return r->err = ETIMEDOUT, FAILED;
    int pr = poll(pfd, 2, resend ? DRAIN_MS : (int)left);
    if (pr < 0) {
      if (errno == EINTR) continue;
      return r->err = errno, FAILED;
    }
    if (pr == 0) {
      if (resend) { /* the queue has drained: a fresh sentinel ends the chunk */
        resend = 0;
        if (send_sentinel(w, next_seq(w)) < 0) return r->err = errno, FAILED;
      }
      continue;
    }
    if (pfd[1].revents && woken(w) == STOPPED) return STOPPED;
    if (!pfd[0].revents) continue;
    for (;;) {
      for (int i = 0; i < RX_SLOTS; i++) {
        rxv[i].iov_base = w->rx + (size_t)i * RX_SLOT;
        rxv[i].iov_len = RX_SLOT;
        memset(&msgs[i].msg_hdr, 0, sizeof msgs[i].msg_hdr);
        msgs[i].msg_hdr.msg_iov = &rxv[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
      }
      int n = recvmmsg(w->fd, msgs, RX_SLOTS, MSG_DONTWAIT, NULL);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        if (errno == ENOBUFS) { /* answers were dropped, perhaps the sentinel's */
          overrun = resend = 1;
          continue;
        }
        return r->err = errno, FAILED;
      }
      for (int d = 0; d < n; d++) {
        uint8_t *buf = w->rx + (size_t)d * RX_SLOT;
        int blen = msgs[d].msg_len < RX_SLOT ? (int)msgs[d].msg_len : RX_SLOT;
        for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, blen); h = NLMSG_NEXT(h, blen)) {
          if (h->nlmsg_type != NLMSG_ERROR || h->nlmsg_len < HDR + 4) continue;
          uint32_t i = h->nlmsg_seq - first_seq;
          if (i < count) {
            int32_t err = -*(int32_t *)((uint8_t *)h + HDR);
            w->answered[i] = 1;
            if (err == 0) r->acked++;
            else {
              uint16_t type = h->nlmsg_len >= HDR + 4 + HDR ? ((struct nlmsghdr *)((uint8_t *)h + HDR + 4))->nlmsg_type : 0;
              size_t extlen = 0;
              const char *ext = ext_text((uint8_t *)h, h->nlmsg_len, &extlen);
              if (push_failure(r, first_index + i, h->nlmsg_seq, err, type, ext, extlen) < 0) return r->err = ENOMEM, FAILED;
            }
          } else if (h->nlmsg_seq - sentinel <= w->seq - sentinel) {
            done = 1; /* a sentinel's ACK: every answer of the chunk is in (or was lost) */
          }
        }
      }
      if (n < RX_SLOTS) break;
    }
  }
  if (overrun)
    for (uint32_t i = 0; i < count; i++)
      if (!w->answered[i] && push_unknown(r, first_index + i) < 0) return r->err = ENOMEM, FAILED;
  return DONE;
}

/* Runs one batch: stamps, chunks, sends; STOPPED when close interrupted it. */
static int run_job(writer_t *w, job_t *j, result_t *r) {
  uint8_t *buf = j->data;
  size_t len = j->len, off = 0;
  uint32_t index = 0;
  while (off + HDR <= len) {
    size_t start = off;
    uint32_t first_index = index, first_seq = 0, n = 0;
    while (off + HDR <= len && n < w->max_msgs) {
      struct nlmsghdr *h = (struct nlmsghdr *)(buf + off);
      uint32_t mlen = h->nlmsg_len;
      if (mlen < HDR || off + mlen > len) return r->err = EINVAL, FAILED;
      size_t padded = (mlen + 3u) & ~3u;
      if (n > 0 && off + padded - start > w->max_bytes) break;
      uint32_t seq = next_seq(w);
      if (n == 0) first_seq = seq;
      h->nlmsg_seq = seq;
      h->nlmsg_flags = (uint16_t)(j->all ? (h->nlmsg_flags | NLM_F_REQUEST | NLM_F_ACK) : ((h->nlmsg_flags | NLM_F_REQUEST) & ~NLM_F_ACK));
      off += padded;
      n++;
      index++;
    }
    size_t end = off < len ? off : len;
    int rc = run_chunk(w, buf + start, end - start, first_seq, first_index, n, r);
    if (rc != DONE) return rc;
  }
  r->count = index;
  return DONE;
}

static void free_job(job_t *j) {
  free(j->r.failed);
  free(j->r.unknown);
  free(j);
}

static void *runner(void *arg) {
  writer_t *w = arg;
  struct pollfd wake = { .fd = w->wake, .events = POLLIN };
  for (;;) {
    pthread_mutex_lock(&w->mu);
    job_t *j = w->head;
    if (j != NULL && (w->head = j->next) == NULL) w->tail = NULL;
    pthread_mutex_unlock(&w->mu);
    if (atomic_load(&w->stop)) {
      if (j != NULL) free_job(j);
      break;
    }
    if (j == NULL) {
      if (poll(&wake, 1, -1) < 0 && errno != EINTR) break;
      if (woken(w) == STOPPED) break;
      continue;
    }
    if (run_job(w, j, &j->r) == STOPPED) {
      free_job(j);
      break;
    }
    if (napi_call_threadsafe_function(w->tsfn, j, napi_tsfn_nonblocking) != napi_ok) free_job(j);
  }
  return NULL;
}

static void set_u32(napi_env env, napi_value o, const char *name, uint32_t v) {
  napi_value n;
  napi_create_uint32(env, v, &n);
  napi_set_named_property(env, o, name, n);
}

static void set_i32(napi_env env, napi_value o, const char *name, int32_t v) {
  napi_value n;
  napi_create_int32(env, v, &n);
  napi_set_named_property(env, o, name, n);
}

/* Main thread: builds the BatchResult object and calls back; env is NULL when released with results left. */
static void call_js(napi_env env, napi_value cb, void *context, void *data) {
  (void)context;
  job_t *j = data;
  result_t *r = &j->r;
  if (env != NULL && cb != NULL) {
    napi_value argv[3], undef, res, failed, unknown;
    napi_get_undefined(env, &undef);
    napi_create_int32(env, j->id, &argv[0]);
    if (r->err != 0) napi_get_null(env, &argv[1]);
    else {
      napi_create_object(env, &res);
      set_u32(env, res, "count", r->count);
      napi_create_array_with_length(env, r->nfailed, &failed);
      for (size_t i = 0; i < r->nfailed; i++) {
        failure_t *f = &r->failed[i];
        napi_value o, s;
        napi_create_object(env, &o);
        set_u32(env, o, "index", f->index);
        set_u32(env, o, "seq", f->seq);
        set_i32(env, o, "errno", f->err);
        set_u32(env, o, "type", f->type);
        if (f->ext[0] != 0) {
          napi_create_string_utf8(env, f->ext, NAPI_AUTO_LENGTH, &s);
          napi_set_named_property(env, o, "extMessage", s);
        }
        napi_set_element(env, failed, (uint32_t)i, o);
      }
      napi_set_named_property(env, res, "failed", failed);
      napi_create_array_with_length(env, r->nunknown, &unknown);
      for (size_t i = 0; i < r->nunknown; i++) {
        napi_value n;
        napi_create_uint32(env, r->unknown[i], &n);
        napi_set_element(env, unknown, (uint32_t)i, n);
      }
      napi_set_named_property(env, res, "unknown", unknown);
      set_u32(env, res, "acked", r->acked);
      argv[1] = res;
    }
    napi_create_int32(env, r->err, &argv[2]);
    napi_call_function(env, undef, cb, 3, argv, NULL);
  }
  free_job(j);
}

/* Stops the thread and releases everything but the struct itself (idempotent). */
static void shut(writer_t *w) {
  if (w->running) {
    uint64_t one = 1;
    atomic_store(&w->stop, 1);
    if (write(w->wake, &one, sizeof one) < 0) { /* cannot fail on a fresh eventfd */ }
    pthread_join(w->thread, NULL);
    w->running = 0;
  }
  while (w->head != NULL) {
    job_t *j = w->head;
    w->head = j->next;
    free_job(j);
  }
  w->tail = NULL;
  if (w->fd >= 0) close(w->fd);
  if (w->wake >= 0) close(w->wake);
  w->fd = w->wake = -1;
  if (w->tsfn != NULL) {
    napi_release_threadsafe_function(w->tsfn, napi_tsfn_abort);
    w->tsfn = NULL;
  }
}

static void cleanup_hook(void *arg) {
  shut(arg);
}

static void finalize_handle(napi_env env, void *data, void *hint) {
  (void)hint;
  writer_t *w = data;
  napi_remove_env_cleanup_hook(env, cleanup_hook, w);
  shut(w);
  pthread_mutex_destroy(&w->mu);
  free(w->answered);
  free(w->rx);
  free(w);
}

static writer_t *handle_arg(napi_env env, napi_value v) {
  void *w = NULL;
  if (napi_get_value_external(env, v, &w) != napi_ok || w == NULL) {
    napi_throw_type_error(env, NULL, "expected a netlink writer handle");
    return NULL;
  }
  return w;
}

static void setbuf_opt(int fd, int force, int plain, int32_t size) {
  if (size <= 0) return;
  if (setsockopt(fd, SOL_SOCKET, force, &size, sizeof size) < 0) setsockopt(fd, SOL_SOCKET, plain, &size, sizeof size);
}

/* nlWriterOpen(callback, recvBufferSize, sendBufferSize, maxChunkBytes, maxChunkMessages, timeoutMs); 0 = default. */
static napi_value js_open(napi_env env, napi_callback_info info) {
  napi_value argv[6], name, handle;
  size_t argc = 6;
  napi_valuetype type;
  int32_t o[5] = { 0 };
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 6 ||
      napi_typeof(env, argv[0], &type) != napi_ok || type != napi_function) {
    napi_throw_type_error(env, NULL, "nlWriterOpen(callback, recvBuf, sendBuf, maxChunkBytes, maxChunkMessages, timeoutMs)");
    return NULL;
  }
  for (int i = 0; i < 5; i++)
    if (napi_get_value_int32(env, argv[1 + i], &o[i]) != napi_ok) {
      napi_throw_type_error(env, NULL, "nlWriterOpen: sizes must be integers");
      return NULL;
    }
  writer_t *w = calloc(1, sizeof *w);
  if (w == NULL) return throw_errno(env, "nlWriterOpen", ENOMEM);
  pthread_mutex_init(&w->mu, NULL);
  w->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  w->wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
  socklen_t salen = sizeof sa;
  int one = 1, err = 0;
  if (w->fd < 0 || w->wake < 0) err = errno;
  if (err == 0) {
    setbuf_opt(w->fd, SO_RCVBUFFORCE, SO_RCVBUF, o[0] ? o[0] : 4 << 20);
    setbuf_opt(w->fd, SO_SNDBUFFORCE, SO_SNDBUF, o[1] ? o[1] : 4 << 20);
    setsockopt(w->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
    setsockopt(w->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
    if (bind(w->fd, (struct sockaddr *)&sa, sizeof sa) < 0 || getsockname(w->fd, (struct sockaddr *)&sa, &salen) < 0) err = errno;
  }
  int rcv = 0, snd = 0;
  socklen_t il = sizeof rcv;
  if (err == 0) {
    getsockopt(w->fd, SOL_SOCKET, SO_RCVBUF, &rcv, &il);
    il = sizeof snd;
    getsockopt(w->fd, SOL_SOCKET, SO_SNDBUF, &snd, &il);
    /* netlink_sendmsg refuses a datagram longer than sk_sndbuf - 32 (EMSGSIZE) */
    long bytes = (long)snd - 64 - HDR;
    if (o[2] > 0 && o[2] < bytes) bytes = o[2];
    w->max_bytes = bytes > 0 ? (size_t)bytes : 1;
    w->max_msgs = o[3] > 0 ? (size_t)o[3] : (size_t)(rcv / ANSWER_COST > 4 ? rcv / ANSWER_COST : 4);
    w->timeout_ms = o[4] > 0 ? o[4] : 30000;
    w->port = sa.nl_pid;
    w->seq = (uint32_t)rand() ^ (uint32_t)now_ms();
    w->answered = malloc(w->max_msgs);
    w->rx = malloc((size_t)RX_SLOTS * RX_SLOT);
    if (w->answered == NULL || w->rx == NULL) err = ENOMEM;
  }
  if (err != 0) {
    shut(w);
    free(w->answered);
    free(w->rx);
    free(w);
    return throw_errno(env, "netlink writer socket", err);
  }
  napi_create_string_utf8(env, "petrel-netlink-writer", NAPI_AUTO_LENGTH, &name);
  if (napi_create_threadsafe_function(env, argv[0], NULL, name, 0, 1, NULL, NULL, w, call_js, &w->tsfn) != napi_ok) {
    shut(w);
    free(w->answered);
    free(w->rx);
    free(w);
    napi_throw_error(env, NULL, "nlWriterOpen: cannot create the threadsafe function");
    return NULL;
  }
  if ((err = pthread_create(&w->thread, NULL, runner, w)) != 0) {
    shut(w);
    free(w->answered);
    free(w->rx);
    free(w);
    return throw_errno(env, "pthread_create", err);
  }
  w->running = 1;
  napi_add_env_cleanup_hook(env, cleanup_hook, w);
  if (napi_create_external(env, w, finalize_handle, NULL, &handle) != napi_ok) {
    napi_remove_env_cleanup_hook(env, cleanup_hook, w);
    shut(w);
    free(w->answered);
    free(w->rx);
    free(w);
    return NULL;
  }
  return handle;
}

/* nlWriterPort(handle): the socket's netlink port id (the nlmsg_pid of notifications of its own writes). */
static napi_value js_port(napi_env env, napi_callback_info info) {
  napi_value argv[1], r;
  size_t argc = 1;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  writer_t *w = argc < 1 ? NULL : handle_arg(env, argv[0]);
  if (w == NULL) return NULL;
  napi_create_uint32(env, w->port, &r);
  return r;
}

/* nlWriterSubmit(handle, id, bytes: Uint8Array, acksAll): queues a batch; the caller keeps `bytes` alive and
   untouched until its callback. */
static napi_value js_submit(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  size_t argc = 4, len = 0;
  int32_t id;
  bool all = false, is_ta = false;
  void *data = NULL;
  napi_typedarray_type tt;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  writer_t *w = argc < 4 ? NULL : handle_arg(env, argv[0]);
  if (w == NULL) return NULL;
  if (napi_get_value_int32(env, argv[1], &id) != napi_ok || napi_is_typedarray(env, argv[2], &is_ta) != napi_ok || !is_ta ||
      napi_get_typedarray_info(env, argv[2], &tt, &len, &data, NULL, NULL) != napi_ok || tt != napi_uint8_array ||
      napi_get_value_bool(env, argv[3], &all) != napi_ok) {
    napi_throw_type_error(env, NULL, "nlWriterSubmit(handle, id: number, bytes: Uint8Array, acksAll: boolean)");
    return NULL;
  }
  if (!w->running) return throw_errno(env, "nlWriterSubmit", EBADF);
  job_t *j = calloc(1, sizeof *j);
  if (j == NULL) return throw_errno(env, "nlWriterSubmit", ENOMEM);
  j->id = id;
  j->all = all;
  j->data = data;
  j->len = len;
  pthread_mutex_lock(&w->mu);
  if (w->tail != NULL) w->tail->next = j;
  else w->head = j;
  w->tail = j;
  pthread_mutex_unlock(&w->mu);
  uint64_t one = 1;
  if (write(w->wake, &one, sizeof one) < 0) { /* the counter cannot overflow in practice */ }
  return NULL;
}

/* nlWriterRef(handle, ref): whether the writer keeps the event loop alive (it does after open). */
static napi_value js_ref(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  size_t argc = 2;
  bool ref = false;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  writer_t *w = argc < 2 ? NULL : handle_arg(env, argv[0]);
  if (w == NULL || w->tsfn == NULL) return NULL;
  napi_get_value_bool(env, argv[1], &ref);
  if (ref) napi_ref_threadsafe_function(env, w->tsfn);
  else napi_unref_threadsafe_function(env, w->tsfn);
  return NULL;
}

/* nlWriterClose(handle): stops the thread (a batch in flight is abandoned), closes the socket. */
static napi_value js_close(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  size_t argc = 1;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  writer_t *w = argc < 1 ? NULL : handle_arg(env, argv[0]);
  if (w != NULL) shut(w);
  return NULL;
}

/* Adds the writer's functions to the addon's exports (called from sockopt.c's init). */
void nlwriter_init(napi_env env, napi_value exports) {
  set_fn(env, exports, "nlWriterOpen", js_open);
  set_fn(env, exports, "nlWriterPort", js_port);
  set_fn(env, exports, "nlWriterSubmit", js_submit);
  set_fn(env, exports, "nlWriterRef", js_ref);
  set_fn(env, exports, "nlWriterClose", js_close);
}
