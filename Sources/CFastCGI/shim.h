#ifndef GAUNTLET_CFASTCGI_SHIM_H
#define GAUNTLET_CFASTCGI_SHIM_H
#include <fcgiapp.h>
#endif
