#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

int copy_wide(const char *name, wchar_t *dst, size_t cap)
{
    wchar_t *w = wcsdup(L"entry");
    if (w == NULL)
        return -1;
    wcscpy(w, L"entry");
    if (wcslen(w) < cap)
        wcscpy(dst, w);
    wmemcpy(dst, w, 1);
    if (wcschr(w, L'e') == NULL || wcscmp(w, dst) != 0)
        dst[0] = L'\0';
    return 0;  // expect: resource-leak in copy_wide
}

int main(void)
{
    wchar_t out[32];
    return copy_wide("/dev/null", out, 32);
}
