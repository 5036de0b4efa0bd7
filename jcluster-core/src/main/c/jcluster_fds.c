/*
 * Several file descriptors per message on the fd link (SCM_RIGHTS), for io.jcluster.internal.FdBatch.
 * Netty's sendFd/recvFd move one fd per syscall; the primary hands a worker every connection of an accept
 * batch in one sendmsg, and the worker takes them in one recvmsg.
 */
#include <errno.h>
#include <jni.h>
#include <limits.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_FDS 253 /* SCM_MAX_FD: the most one message can carry */

union control {
    char buf[CMSG_SPACE(sizeof(int) * MAX_FDS)];
    struct cmsghdr align;
};

/* Sends fds[off, off+n) with one data byte. Returns 1, or -errno. */
JNIEXPORT jint JNICALL Java_io_jcluster_internal_FdBatch_send0(JNIEnv *env, jclass cls, jint sock, jintArray fds,
                                                                jint off, jint n) {
    (void) cls;
    if (n < 1 || n > MAX_FDS) {
        return -EINVAL;
    }
    union control u;
    memset(&u, 0, sizeof u);
    char data = 0;
    struct iovec iov = { .iov_base = &data, .iov_len = 1 };
    struct msghdr msg = { 0 };
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = u.buf;
    msg.msg_controllen = CMSG_SPACE(sizeof(int) * n);
    struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int) * n);
    (*env)->GetIntArrayRegion(env, fds, off, n, (jint *) CMSG_DATA(cm));
    if ((*env)->ExceptionCheck(env)) {
        return -EINVAL;
    }
    ssize_t r;
    do {
        r = sendmsg(sock, &msg, MSG_NOSIGNAL);
    } while (r < 0 && errno == EINTR);
    return r < 0 ? -errno : 1;
}

/*
 * Receives one message: its fds go to out (close-on-exec). Returns how many, INT_MIN at end of stream, or
 * -errno (-EAGAIN when nothing is waiting). A stream socket never joins two fd-carrying messages in one read.
 * When the kernel could not install them all (MSG_CTRUNC: out of fds), those that came are closed and the
 * result is -EMSGSIZE: the sender's count of fds in flight no longer holds, so the link must end.
 */
JNIEXPORT jint JNICALL Java_io_jcluster_internal_FdBatch_recv0(JNIEnv *env, jclass cls, jint sock, jintArray out) {
    (void) cls;
    union control u;
    char data;
    struct iovec iov = { .iov_base = &data, .iov_len = 1 };
    struct msghdr msg = { 0 };
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = u.buf;
    msg.msg_controllen = sizeof u.buf;
    ssize_t r;
    do {
        r = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
    } while (r < 0 && errno == EINTR);
    if (r < 0) {
        return -errno;
    }
    if (r == 0) {
        return INT_MIN;
    }
    if (msg.msg_flags & MSG_CTRUNC) {
        for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm != NULL; cm = CMSG_NXTHDR(&msg, cm)) {
            if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
                int *fds = (int *) CMSG_DATA(cm);
                size_t k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                for (size_t i = 0; i < k; i++) {
                    close(fds[i]);
                }
            }
        }
        return -EMSGSIZE;
    }
    jint n = 0;
    jsize cap = (*env)->GetArrayLength(env, out);
    for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm != NULL; cm = CMSG_NXTHDR(&msg, cm)) {
        if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS) {
            continue;
        }
        int *fds = (int *) CMSG_DATA(cm);
        jint k = (jint) ((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
        for (jint i = 0; i < k; i++) {
            if (n < cap) {
                (*env)->SetIntArrayRegion(env, out, n++, 1, (jint *) &fds[i]);
            } else {
                close(fds[i]); /* cannot happen: out holds MAX_FDS */
            }
        }
    }
    return n;
}
