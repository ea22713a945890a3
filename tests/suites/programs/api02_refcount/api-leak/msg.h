#ifndef MSG_H
#define MSG_H

typedef struct msg {
    int refs;
    char *text;
} msg;

msg *msg_from_text(const char *text);
msg *msg_ref(msg *m);
void msg_unref(msg *m);
const char *msg_text(const msg *m);
int msg_refcount(const msg *m);
#endif
