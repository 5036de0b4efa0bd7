/*
 * A worker's death, seen as soon as its threads exit (io.jcluster.internal.AliveLock): a robust, process-shared
 * mutex in a small file both processes map. A thread of the worker holds it for the worker's life; a thread of
 * the primary waits to lock it. When the holder exits, however it dies, the kernel marks the mutex's owner dead
 * and wakes the waiter: in the thread's own exit, before the last thread tears the process's memory down and
 * closes its files. The fd links end only after that, 12-60 ms later on a 2-core VM for a JVM of 50-200 MB.
 */
#include <errno.h>
#include <fcntl.h>
#include <jni.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#define SIZE 4096

static pthread_mutex_t *map(JNIEnv *env, jstring path, int *err) {
    const char *p = (*env)->GetStringUTFChars(env, path, NULL);
    if (p == NULL) {
        *err = ENOMEM;
        return NULL;
    }
    int fd = open(p, O_RDWR | O_CLOEXEC);
    (*env)->ReleaseStringUTFChars(env, path, p);
    if (fd < 0) {
        *err = errno;
        return NULL;
    }
    void *m = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    *err = errno;
    close(fd);
    return m == MAP_FAILED ? NULL : (pthread_mutex_t *) m;
}

/* Initialises an unlocked robust, process-shared mutex at m: 0 or an error number. */
static int init(pthread_mutex_t *m) {
    pthread_mutexattr_t a;
    int r = pthread_mutexattr_init(&a);
    if (r != 0) {
        return r;
    }
    r = pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
    if (r == 0) {
        r = pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
    }
    if (r == 0) {
        r = pthread_mutex_init(m, &a);
    }
    pthread_mutexattr_destroy(&a);
    return r;
}

/*
 * Creates the file (which must not exist) with an unlocked robust, process-shared mutex. 0 or -errno; on an error
 * no file is left. The file's blocks are allocated first (posix_fallocate): on a full tmpfs, a file only
 * ftruncate'd would fault (SIGBUS) at the first write through the mapping.
 */
JNIEXPORT jint JNICALL Java_io_jcluster_internal_AliveLock_create0(JNIEnv *env, jclass cls, jstring path) {
    (void) cls;
    const char *p = (*env)->GetStringUTFChars(env, path, NULL);
    if (p == NULL) {
        return -ENOMEM;
    }
    int r = 0;
    int fd = open(p, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        r = errno;
    } else {
        r = posix_fallocate(fd, 0, SIZE);
        void *m = MAP_FAILED;
        if (r == 0) {
            m = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
            r = m == MAP_FAILED ? errno : init((pthread_mutex_t *) m);
        }
        if (m != MAP_FAILED) {
            munmap(m, SIZE);
        }
        close(fd);
        if (r != 0) {
            unlink(p);
        }
    }
    (*env)->ReleaseStringUTFChars(env, path, p);
    return -r;
}

/*
 * Worker: the calling thread takes the mutex, and keeps it and the mapping until it exits. Never blocks: -EBUSY
 * when another thread holds it. 0 or -errno.
 */
JNIEXPORT jint JNICALL Java_io_jcluster_internal_AliveLock_hold0(JNIEnv *env, jclass cls, jstring path) {
    (void) cls;
    int err;
    pthread_mutex_t *m = map(env, path, &err);
    if (m == NULL) {
        return -err;
    }
    int r = pthread_mutex_trylock(m);
    if (r == EOWNERDEAD) { /* a holder before us died: ours now, once marked consistent */
        r = pthread_mutex_consistent(m);
        if (r != 0) {
            pthread_mutex_unlock(m);
        }
    }
    if (r != 0) {
        munmap(m, SIZE);
    }
    return -r;
}

/* Primary: maps the file (which may then be deleted): the mapping's address, or -errno. */
JNIEXPORT jlong JNICALL Java_io_jcluster_internal_AliveLock_map0(JNIEnv *env, jclass cls, jstring path) {
    (void) cls;
    int err;
    pthread_mutex_t *m = map(env, path, &err);
    return m == NULL ? -err : (jlong) (intptr_t) m;
}

/*
 * Primary: waits until the mutex can be taken, then lets it go and unmaps it. 1 when its holder died, 0 when no
 * one held it, -errno otherwise.
 */
JNIEXPORT jint JNICALL Java_io_jcluster_internal_AliveLock_await0(JNIEnv *env, jclass cls, jlong address) {
    (void) env;
    (void) cls;
    pthread_mutex_t *m = (pthread_mutex_t *) (intptr_t) address;
    int r = pthread_mutex_lock(m);
    int died = r == EOWNERDEAD;
    if (died) {
        pthread_mutex_consistent(m);
    }
    if (r == 0 || died) {
        pthread_mutex_unlock(m);
    }
    munmap(m, SIZE);
    return died ? 1 : -r;
}
