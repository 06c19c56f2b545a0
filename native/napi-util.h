/*
 * DOC: helpers shared by the addon's C files (sockopt.c, nlmonitor.c, nlwriter.c): an errno-named Error and the
 * registration of an exported function.
 */
#ifndef PETREL_NAPI_UTIL_H
#define PETREL_NAPI_UTIL_H
#include <node_api.h>

/* Throws Error(message: "<what>: <strerror>") with code = errno name; returns NULL for the caller to return. */
napi_value throw_errno(napi_env env, const char *what, int err);

/* exports[name] = a function calling cb. */
void set_fn(napi_env env, napi_value obj, const char *name, napi_callback cb);

#endif
