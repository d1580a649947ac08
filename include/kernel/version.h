/* The ZVM release number and when this image was built. */
#ifndef KERNEL_VERSION_H
#define KERNEL_VERSION_H

#define ZVM_VERSION    "0.1.0"
#define ZVM_BUILD_DATE __DATE__

#endif
