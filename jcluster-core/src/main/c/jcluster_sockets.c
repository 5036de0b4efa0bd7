/*
 * Listening sockets for jcluster's agent (io.jcluster.internal.Sockets): an unmodified server's socket is
 * replaced in place by the listening socket the primary passed (dup2), keeping the fd number the server
 * holds, its close-on-exec flag and its blocking mode.
 */
#include <errno.h>
#include <fcntl.h>
#include <jni.h>
#include <sys/socket.h>
#include <unistd.h>

/*
 * Makes target refer to the socket received: dup2, then target's FD_CLOEXEC as it was, and O_NONBLOCK as the
 * server had it on its own socket. O_NONBLOCK belongs to the open file description, which every copy of the
 * passed socket shares (the primary's and each worker's): the server's mode is what its own accept loop was
 * written for. received is closed on success; on failure (-errno) both fds are as they were, except that
 * after a failed fcntl past dup2 target already refers to the received socket (-errno, received still open).
 */
JNIEXPORT jint JNICALL Java_io_jcluster_internal_Sockets_replace0(JNIEnv *env, jclass cls, jint received, jint target) {
    (void) env;
    (void) cls;
    if (received < 0 || target < 0 || received == target) {
        return -EINVAL;
    }
    int fdflags = fcntl(target, F_GETFD);
    int appflags = fcntl(target, F_GETFL);
    int shared = fcntl(received, F_GETFL);
    if (fdflags < 0 || appflags < 0 || shared < 0) {
        return -errno;
    }
    int r;
    do {
        r = dup2(received, target);
    } while (r < 0 && (errno == EINTR || errno == EBUSY));
    if (r < 0) {
        return -errno;
    }
    if (fcntl(target, F_SETFD, fdflags & FD_CLOEXEC) < 0) {
        return -errno;
    }
    if (fcntl(target, F_SETFL, (shared & ~O_NONBLOCK) | (appflags & O_NONBLOCK)) < 0) {
        return -errno;
    }
    close(received);
    return 0;
}

/* 1 when fd is a listening socket, 0 when it is another socket, -errno otherwise (-ENOTSOCK for a non-socket). */
JNIEXPORT jint JNICALL Java_io_jcluster_internal_Sockets_isListening0(JNIEnv *env, jclass cls, jint fd) {
    (void) env;
    (void) cls;
    int v = 0;
    socklen_t len = sizeof v;
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &len) < 0) {
        return -errno;
    }
    return v ? 1 : 0;
}

/* The file status flags of fd's open file description (F_GETFL), or -errno. */
JNIEXPORT jint JNICALL Java_io_jcluster_internal_Sockets_statusFlags0(JNIEnv *env, jclass cls, jint fd) {
    (void) env;
    (void) cls;
    int f = fcntl(fd, F_GETFL);
    return f < 0 ? -errno : f;
}

/*
 * Sets O_NONBLOCK on fd's open file description, for a listening socket the primary adopted (systemd's socket
 * activation passes blocking sockets unless NonBlocking=yes): the primary accepts until EAGAIN on its I/O loop.
 * 0, or -errno.
 */
JNIEXPORT jint JNICALL Java_io_jcluster_internal_Sockets_setNonBlocking0(JNIEnv *env, jclass cls, jint fd) {
    (void) env;
    (void) cls;
    int f = fcntl(fd, F_GETFL);
    if (f < 0 || fcntl(fd, F_SETFL, f | O_NONBLOCK) < 0) {
        return -errno;
    }
    return 0;
}
