/*
 * SIGQUIT for the jcluster primary. HotSpot keeps SIGQUIT for thread dumps and refuses it to Java code, so this
 * installs a native handler that only writes a byte to a pipe (async-signal-safe); a Java thread blocked in
 * await0() wakes and runs the fast stop. The primary starts with -XX:+StartAttachListener, so jcmd still works.
 */
#include <jni.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static int fds[2] = {-1, -1};

static void on_quit(int sig) {
    int saved = errno;
    char b = (char) sig;
    ssize_t ignored = write(fds[1], &b, 1);
    (void) ignored;
    errno = saved;
}

JNIEXPORT jint JNICALL Java_io_jcluster_launch_QuitSignal_install0(JNIEnv *env, jclass cls) {
    (void) env; (void) cls;
    if (fds[0] >= 0) {
        return 0;
    }
    if (pipe(fds) != 0) {
        return -errno;
    }
    fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    fcntl(fds[1], F_SETFD, FD_CLOEXEC);
    fcntl(fds[1], F_SETFL, O_NONBLOCK);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_quit;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    return sigaction(SIGQUIT, &sa, NULL) == 0 ? 0 : -errno;
}

/* Blocks until SIGQUIT arrives: 0, or a negative errno. */
JNIEXPORT jint JNICALL Java_io_jcluster_launch_QuitSignal_await0(JNIEnv *env, jclass cls) {
    (void) env; (void) cls;
    char b;
    for (;;) {
        ssize_t r = read(fds[0], &b, 1);
        if (r == 1) {
            return 0;
        }
        if (r < 0 && errno == EINTR) {
            continue;
        }
        return r < 0 ? -errno : -EPIPE;
    }
}
