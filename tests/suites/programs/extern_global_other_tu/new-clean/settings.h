#ifndef SETTINGS_H
#define SETTINGS_H
extern int release_buffers;
#endif
