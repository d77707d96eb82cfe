#ifndef OPSBRAIN_CLIBPQ_SHIM_H
#define OPSBRAIN_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#include <poll.h>
#endif
