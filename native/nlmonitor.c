/*
 * DOC: an in-process rtnetlink multicast monitor for fib/netlink/monitor-native.ts: a NETLINK_ROUTE socket read by
 * a dedicated pthread, whose datagrams reach JavaScript through a napi_threadsafe_function.
 *
 * Why native: the `netlink` npm package aborts the process when the kernel reports an overrun (ENOBUFS), so the
 * monitor socket used to live in a child node process (~50 MB RSS each). Here ENOBUFS is an ordinary event: the
 * thread reports it (the subscribers resync from a dump) and keeps reading the same socket.
 * Thread: blocks in poll() on the socket and an eventfd; once woken it reads every queued datagram (recv with
 * MSG_DONTWAIT) into its work buffer (up to BATCH_FLUSH octets, each datagram padded to 4) and hands a copy over as
 * one call: a burst costs one JS callback, not one per datagram. Calls into the threadsafe function never block
 * (so close cannot deadlock on a thread waiting for the main thread); instead, while more than QUEUE_CAP octets
 * wait for JS, the thread stops reading: a slow consumer makes the kernel queue overflow, which ends in a resync
 * rather than in unbounded memory (as the child process's pipe did).
 * Callback: `callback(batch: Buffer | null, event: number)`: event 0 is data, 1 an overrun (ENOBUFS, or a
 * datagram too large to read), 2 a fatal socket error (the thread has stopped; the caller reopens).
 * Exports: nlMonitorOpen(callback) → handle, nlMonitorFd(handle), nlMonitorJoin(handle, group),
 * nlMonitorRecvBuffer(handle, size) → effective SO_RCVBUF, nlMonitorRef(handle, ref), nlMonitorClose(handle).
 * The echo filter is attached with attachFilter(nlMonitorFd(h), program) (sockopt.c).
 * Invariants: close wakes the thread through the eventfd, joins it, then closes the socket and releases the
 * threadsafe function (so the process may exit); a handle is freed by its finalizer, never while JS holds it; an
 * environment cleanup hook does the same when the process ends with the monitor open.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/netlink.h>
#include <poll.h>
#include <stdatomic.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>
#include <node_api.h>
#include "napi-util.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

#define BATCH_FLUSH (256 * 1024) /* hand a batch over once it holds this much */
#define MAX_DGRAM (64 * 1024)    /* room kept for one more datagram (rtnetlink notifications are far smaller) */
#define QUEUE_CAP (32 << 20)     /* octets handed over but not yet taken by JS above which reading pauses */

enum { EV_DATA = 0, EV_OVERRUN = 1, EV_FAILED = 2 };

typedef struct {
  int fd;      /* the netlink socket */
  int wake;    /* eventfd: written by close to stop the thread */
  int running; /* the thread was started and not joined yet */
  _Atomic size_t queued; /* octets posted, not yet taken by call_js */
  pthread_t thread;
  napi_threadsafe_function tsfn;
} monitor_t;

/* One hand-over to the main thread: `len` octets of datagrams, or an event with none. */
typedef struct {
  int event;
  size_t len;
  uint8_t data[];
} batch_t;

/* Queues `b` for the main thread (frees it when the function is being released). */
static void post(monitor_t *m, batch_t *b) {
  m->queued += b->len;
  if (napi_call_threadsafe_function(m->tsfn, b, napi_tsfn_nonblocking) != napi_ok) {
    m->queued -= b->len;
    free(b);
  }
}

/* Posts an event, or (EV_DATA) the `len` octets gathered in `work`, copied to a batch of their own size. */
static void post_copy(monitor_t *m, int event, const uint8_t *work, size_t len) {
  if (event == EV_DATA && len == 0) return;
  batch_t *b = malloc(sizeof(batch_t) + len);
  if (b == NULL) return; /* out of memory: the datagrams are lost; a later overrun will resync */
  b->event = event;
  b->len = len;
  if (len > 0) memcpy(b->data, work, len);
  post(m, b);
}

/* The reader: waits for datagrams or the stop signal; gathers what is queued in `work`, then hands it over. */
static void *reader(void *arg) {
  monitor_t *m = arg;
  struct pollfd pfd[2] = { { .fd = m->fd, .events = POLLIN }, { .fd = m->wake, .events = POLLIN } };
  uint8_t *work = malloc(BATCH_FLUSH + MAX_DGRAM);
  size_t used = 0;
  if (work == NULL) {
    post_copy(m, EV_FAILED, NULL, 0);
    return NULL;
  }
  for (;;) {
    if (poll(pfd, 2, -1) < 0) {
      if (errno == EINTR) continue;
      post_copy(m, EV_FAILED, NULL, 0);
      break;
    }
    if (pfd[1].revents) break; /* closing */
    if (m->queued > QUEUE_CAP) { /* JS is behind: let the kernel queue fill (and overrun) meanwhile */
      poll(&pfd[1], 1, 10);
      continue;
    }
    /* An overrun also shows as POLLERR: the recv below returns ENOBUFS and clears it. */
    for (;;) {
      ssize_t n = recv(m->fd, work + used, MAX_DGRAM, MSG_DONTWAIT | MSG_TRUNC);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      if (n < 0 || n > MAX_DGRAM) {
        /* ENOBUFS (notifications were dropped) or a truncated datagram: an overrun, after what was read before;
           any other error ends the reader. */
        int event = n > MAX_DGRAM || errno == ENOBUFS ? EV_OVERRUN : EV_FAILED;
        post_copy(m, EV_DATA, work, used);
        used = 0;
        post_copy(m, event, NULL, 0);
        if (event == EV_FAILED) goto out;
        continue;
      }
      size_t padded = ((size_t)n + 3) & ~(size_t)3;
      memset(work + used + n, 0, padded - (size_t)n);
      used += padded;
      if (used >= BATCH_FLUSH) {
        post_copy(m, EV_DATA, work, used);
        used = 0;
      }
    }
    post_copy(m, EV_DATA, work, used);
    used = 0;
  }
out:
  free(work);
  return NULL;
}

/* Runs on the main thread per queued batch; env is NULL when the function is released with batches left. */
static void call_js(napi_env env, napi_value cb, void *context, void *data) {
  batch_t *b = data;
  if (env != NULL && cb != NULL) {
    monitor_t *m = context; /* alive: its finalizer aborts the function before freeing it */
    m->queued -= b->len;
    napi_value argv[2], undef;
    napi_get_undefined(env, &undef);
    if (b->event == EV_DATA) napi_create_buffer_copy(env, b->len, b->data, NULL, &argv[0]);
    else napi_get_null(env, &argv[0]);
    napi_create_int32(env, b->event, &argv[1]);
    napi_call_function(env, undef, cb, 2, argv, NULL);
  }
  free(b);
}

/* Stops the thread and releases everything but the struct itself (idempotent). */
static void shut(monitor_t *m) {
  if (m->running) {
    uint64_t one = 1;
    if (write(m->wake, &one, sizeof one) < 0) { /* cannot fail on a fresh eventfd; nothing else to do */ }
    pthread_join(m->thread, NULL);
    m->running = 0;
  }
  if (m->fd >= 0) close(m->fd);
  if (m->wake >= 0) close(m->wake);
  m->fd = m->wake = -1;
  if (m->tsfn != NULL) {
    napi_release_threadsafe_function(m->tsfn, napi_tsfn_abort);
    m->tsfn = NULL;
  }
}

/* At environment teardown with the monitor still open: stop it before Node deletes the threadsafe function. */
static void cleanup_hook(void *arg) {
  shut(arg);
}

static void finalize_handle(napi_env env, void *data, void *hint) {
  (void)hint;
  napi_remove_env_cleanup_hook(env, cleanup_hook, data);
  shut(data);
  free(data);
}

/* The handle and up to two int32 arguments after it; NULL (with a TypeError thrown) when they are wrong. */
static monitor_t *args(napi_env env, napi_callback_info info, size_t nints, int32_t *ints) {
  napi_value argv[3];
  size_t argc = 3;
  void *m = NULL;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 + nints ||
      napi_get_value_external(env, argv[0], &m) != napi_ok || m == NULL) {
    napi_throw_type_error(env, NULL, "expected a netlink monitor handle");
    return NULL;
  }
  for (size_t i = 0; i < nints; i++) {
    bool b;
    if (napi_get_value_int32(env, argv[1 + i], &ints[i]) == napi_ok) continue;
    if (napi_get_value_bool(env, argv[1 + i], &b) != napi_ok) {
      napi_throw_type_error(env, NULL, "arguments must be integers");
      return NULL;
    }
    ints[i] = b;
  }
  return m;
}

/* nlMonitorOpen(callback): a bound NETLINK_ROUTE socket in this namespace, with no groups yet, and its reader. */
static napi_value js_open(napi_env env, napi_callback_info info) {
  napi_value argv[1], name, handle;
  size_t argc = 1;
  napi_valuetype type;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_typeof(env, argv[0], &type) != napi_ok || type != napi_function) {
    napi_throw_type_error(env, NULL, "nlMonitorOpen(callback: function)");
    return NULL;
  }
  monitor_t *m = calloc(1, sizeof *m);
  if (m == NULL) return throw_errno(env, "nlMonitorOpen", ENOMEM);
  m->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  m->wake = eventfd(0, EFD_CLOEXEC);
  struct sockaddr_nl sa = { .nl_family = AF_NETLINK }; /* nl_pid 0: the kernel picks the port */
  if (m->fd < 0 || m->wake < 0 || bind(m->fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
    int err = errno;
    shut(m);
    free(m);
    return throw_errno(env, "netlink monitor socket", err);
  }
  napi_create_string_utf8(env, "petrel-netlink-monitor", NAPI_AUTO_LENGTH, &name);
  if (napi_create_threadsafe_function(env, argv[0], NULL, name, 0, 1, NULL, NULL, m, call_js, &m->tsfn) != napi_ok) {
    shut(m);
    free(m);
    napi_throw_error(env, NULL, "nlMonitorOpen: cannot create the threadsafe function");
    return NULL;
  }
  if (pthread_create(&m->thread, NULL, reader, m) != 0) {
    int err = errno;
    shut(m);
    free(m);
    return throw_errno(env, "pthread_create", err);
  }
  m->running = 1;
  napi_add_env_cleanup_hook(env, cleanup_hook, m);
  if (napi_create_external(env, m, finalize_handle, NULL, &handle) != napi_ok) {
    napi_remove_env_cleanup_hook(env, cleanup_hook, m);
    shut(m);
    free(m);
    return NULL;
  }
  return handle;
}

/* nlMonitorFd(handle): the socket's fd (-1 once closed), for attachFilter and the /proc lookups of tests. */
static napi_value js_fd(napi_env env, napi_callback_info info) {
  monitor_t *m = args(env, info, 0, NULL);
  if (m == NULL) return NULL;
  napi_value r;
  napi_create_int32(env, m->fd, &r);
  return r;
}

/* nlMonitorJoin(handle, group): NETLINK_ADD_MEMBERSHIP; the group is joined when this returns. */
static napi_value js_join(napi_env env, napi_callback_info info) {
  int32_t g;
  monitor_t *m = args(env, info, 1, &g);
  if (m == NULL) return NULL;
  if (setsockopt(m->fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &g, sizeof g) < 0) return throw_errno(env, "NETLINK_ADD_MEMBERSHIP", errno);
  return NULL;
}

/* nlMonitorRecvBuffer(handle, size): SO_RCVBUFFORCE (root), else SO_RCVBUF (capped by rmem_max); returns the result. */
static napi_value js_recv_buffer(napi_env env, napi_callback_info info) {
  int32_t size;
  monitor_t *m = args(env, info, 1, &size);
  if (m == NULL) return NULL;
  if (setsockopt(m->fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) < 0 &&
      setsockopt(m->fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size) < 0)
    return throw_errno(env, "SO_RCVBUF", errno);
  int got = 0;
  socklen_t len = sizeof got;
  getsockopt(m->fd, SOL_SOCKET, SO_RCVBUF, &got, &len);
  napi_value r;
  napi_create_int32(env, got, &r);
  return r;
}

/* nlMonitorRef(handle, ref): whether the monitor keeps the event loop alive (it does after open). */
static napi_value js_ref(napi_env env, napi_callback_info info) {
  int32_t ref;
  monitor_t *m = args(env, info, 1, &ref);
  if (m == NULL || m->tsfn == NULL) return NULL;
  if (ref) napi_ref_threadsafe_function(env, m->tsfn);
  else napi_unref_threadsafe_function(env, m->tsfn);
  return NULL;
}

/* nlMonitorClose(handle): stops the reader and closes the socket; batches not yet delivered are dropped. */
static napi_value js_close(napi_env env, napi_callback_info info) {
  monitor_t *m = args(env, info, 0, NULL);
  if (m != NULL) shut(m);
  return NULL;
}

/* Adds the monitor's functions to the addon's exports (called from sockopt.c's init). */
void nlmonitor_init(napi_env env, napi_value exports) {
  set_fn(env, exports, "nlMonitorOpen", js_open);
  set_fn(env, exports, "nlMonitorFd", js_fd);
  set_fn(env, exports, "nlMonitorJoin", js_join);
  set_fn(env, exports, "nlMonitorRecvBuffer", js_recv_buffer);
  set_fn(env, exports, "nlMonitorRef", js_ref);
  set_fn(env, exports, "nlMonitorClose", js_close);
}
