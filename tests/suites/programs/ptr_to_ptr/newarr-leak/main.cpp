#include <cstdio>
#include <cstdlib>
#include <cstring>

int relay(const char *name)
{
    char *data = new char[strlen(name) + 1];
    char **pp = &data;
    (*pp)[0] = '\0';
    return 0;  // expect: resource-leak in relay
}

int main(void)
{
    return relay("/dev/null");
}
