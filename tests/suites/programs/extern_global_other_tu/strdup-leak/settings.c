#include "settings.h"

int release_buffers = 0;
