#ifndef GAUNTLET_CLIBPQ_SHIM_H
#define GAUNTLET_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif
