"""Pointers copied out through their address, and handles a callee may close, end the caller's tracking."""
from tests.conftest import brief, scan_sources


def test_pointer_copied_out_by_address_is_handed_over(tmp_path):
    result = scan_sources(tmp_path, {"reg.c": """
        #include <stdlib.h>
        #include <string.h>
        struct node { char data[8]; };
        static struct node slots[4];
        void *obj_create_registered(int i) {
            void *p = malloc(16);
            if (!p) return NULL;
            memcpy(slots[i].data, &p, sizeof p);   /* the registry keeps the pointer */
            return p;
        }
        int use(int i) {
            char *o = obj_create_registered(i);
            if (!o) return -1;
            return o[0];
        }
        void *leaky_create(void) {
            void *p = malloc(16);
            return p;
        }
        int use_leaky(void) {
            char *o = leaky_create();
            if (!o) return -1;
            return o[0];
        }
    """})
    assert brief(result) == {("reg.c", 23, "use_leaky", "resource-leak")}


def test_callee_that_closes_the_descriptor_on_error_takes_it(tmp_path):
    result = scan_sources(tmp_path, {"net.c": """
        #include <sys/socket.h>
        #include <unistd.h>
        static int do_listen(int s, int backlog) {
            if (listen(s, backlog) == -1) {
                close(s);
                return -1;
            }
            return 0;
        }
        int server(int backlog) {
            int s = socket(AF_INET, SOCK_STREAM, 0);
            if (s == -1) return -1;
            if (do_listen(s, backlog) == -1) return -1;
            return s;
        }
        int leaky_server(int backlog) {
            int s = socket(AF_INET, SOCK_STREAM, 0);
            if (s == -1) return -1;
            if (listen(s, backlog) == -1) return -1;
            return s;
        }
    """})
    assert brief(result) == {("net.c", 19, "leaky_server", "resource-leak")}


def test_fresh_allocation_never_equals_a_stack_buffer(tmp_path):
    result = scan_sources(tmp_path, {"buf.c": """
        #include <stdlib.h>
        #include <string.h>
        void send(const char *p, size_t n);
        void publish(const char *msg, size_t n) {
            char buf[64];
            char *payload = buf;
            if (n > sizeof buf)
                payload = malloc(n);
            if (!payload) return;
            memcpy(payload, msg, n);
            send(payload, n);
            if (payload != buf) free(payload);
        }
        void publish_leaky(const char *msg, size_t n) {
            char buf[64];
            char *payload = buf;
            if (n > sizeof buf)
                payload = malloc(n);
            if (!payload) return;
            memcpy(payload, msg, n);
            send(payload, n);
            if (payload == buf) return;
            if (n > 4096) return;
            free(payload);
        }
    """})
    assert brief(result) == {("buf.c", 23, "publish_leaky", "resource-leak")}


def test_function_returning_its_argument_keeps_the_resource_tracked(tmp_path):
    result = scan_sources(tmp_path, {"str.c": """
        #include <stdlib.h>
        #include <string.h>
        char *trim(char *s) {
            size_t n = strlen(s);
            while (n && s[n - 1] == ' ') s[--n] = 0;
            return s;
        }
        int parse(const char *in) {
            char *line = trim(strdup(in));
            if (!line) return -1;
            int first = line[0];
            free(line);
            return first;
        }
        int parse_leaky(const char *in) {
            char *line = trim(strdup(in));
            if (!line) return -1;
            if (line[0] == '#') return 0;
            free(line);
            return 1;
        }
    """})
    assert brief(result) == {("str.c", 18, "parse_leaky", "resource-leak")}
