#ifndef GAUNTLET_CFASTCGI_SHIM_H
#define GAUNTLET_CFASTCGI_SHIM_H
#include <fcgiapp.h>
/* The FastCGI server's event loop watches kept connections with epoll, which
   Swift's Glibc module does not export. */
#include <sys/epoll.h>
#endif
