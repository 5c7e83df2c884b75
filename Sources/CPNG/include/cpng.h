#ifndef CPNG_H
#define CPNG_H
// Placeholder: the Raster work fills this in (libpng writer holding the setjmp).
int cpng_placeholder(void);
#endif
