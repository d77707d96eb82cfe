#ifndef OPSBRAIN_CCURL_SHIM_H
#define OPSBRAIN_CCURL_SHIM_H
#include <curl/curl.h>

/// Typed wrappers for the variadic curl_easy_setopt, which Swift cannot call.
static inline CURLcode opsbrain_curl_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode opsbrain_curl_setopt_string(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode opsbrain_curl_setopt_pointer(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
typedef size_t (*opsbrain_curl_write_fn)(char *, size_t, size_t, void *);
static inline CURLcode opsbrain_curl_setopt_write(CURL *h, CURLoption o, opsbrain_curl_write_fn f) { return curl_easy_setopt(h, o, f); }
static inline CURLcode opsbrain_curl_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
/// The peer's certificate chain (CURLOPT_CERTINFO must be on); index 0 is the leaf.
static inline CURLcode opsbrain_curl_getinfo_certinfo(CURL *h, struct curl_certinfo **v) { return curl_easy_getinfo(h, CURLINFO_CERTINFO, v); }
/// CURL_GLOBAL_DEFAULT, a macro Swift does not import.
static inline long opsbrain_curl_global_default(void) { return CURL_GLOBAL_DEFAULT; }
#endif
