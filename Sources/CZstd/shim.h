#ifndef GAUNTLET_CZSTD_SHIM_H
#define GAUNTLET_CZSTD_SHIM_H
#include <zstd.h>
#endif
