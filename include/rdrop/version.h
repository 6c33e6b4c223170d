/* rdrop's version: written into exported files, and into rdrop.pc by
 * `make install`. */
#ifndef RDROP_VERSION_H
#define RDROP_VERSION_H

#define RDROP_VERSION "0.9.0"

#endif
