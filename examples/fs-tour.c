/*
 * fs-tour: walks through the file-system calls of WASI preview 1 inside one
 * granted directory and prints what it observed, so a run can be compared
 * with another runtime's byte for byte.  Also checks the clocks and the
 * random source without printing anything that changes between runs.
 *
 *   fs-tour DIR        (DIR must be granted writable and empty)
 *
 * Exit code 0 if every step behaved as POSIX says, else the number of the
 * first step that did not (stderr names it).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int step;

/* DIR/NAME in one of four rotating buffers, so one call may take two paths. */
static const char *in_dir(const char *dir, const char *name) {
    static char buffers[4][512];
    static int next;
    char *path = buffers[next++ % 4];
    snprintf(path, sizeof buffers[0], "%s/%s", dir, name);
    return path;
}

/* Ends the run with the number of the failing step as exit code. */
static void expect(int ok, const char *what) {
    step++;
    if (!ok) {
        fprintf(stderr, "fs-tour: step %d failed: %s (errno %d: %s)\n", step, what, errno,
                strerror(errno));
        exit(step);
    }
    printf("%2d ok  %s\n", step, what);
}

static int compare_names(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Prints the entries of DIR except . and .., sorted, with their sizes. */
static void list(const char *dir) {
    DIR *d = opendir(dir);
    expect(d != NULL, "opendir");
    char *names[64];
    int count = 0;
    struct dirent *entry;
    while ((entry = readdir(d)) != NULL && count < 64) {
        if (strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0)
            names[count++] = strdup(entry->d_name);
    }
    closedir(d);
    qsort(names, (size_t)count, sizeof names[0], compare_names);
    printf("   listing of %s:", dir);
    for (int i = 0; i < count; i++) {
        struct stat st;
        char full[512];
        snprintf(full, sizeof full, "%s/%s", dir, names[i]);
        /* A directory's size depends on the host file system: not printed. */
        if (stat(full, &st) == 0 && S_ISDIR(st.st_mode))
            printf(" %s/", names[i]);
        else if (stat(full, &st) == 0)
            printf(" %s(%lld)", names[i], (long long)st.st_size);
        free(names[i]);
    }
    printf("\n");
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: fs-tour DIR\n");
        return 100;
    }
    const char *dir = argv[1];
    const char text[] = "0123456789abcdefghij\n";

    int fd = open(in_dir(dir, "notes.txt"), O_CREAT | O_EXCL | O_WRONLY, 0644);
    expect(fd >= 0, "create notes.txt exclusively");
    expect(write(fd, text, sizeof text - 1) == (ssize_t)(sizeof text - 1), "write 21 bytes");
    expect(close(fd) == 0, "close");
    expect(open(in_dir(dir, "notes.txt"), O_CREAT | O_EXCL | O_WRONLY, 0644) < 0 && errno == EEXIST,
           "second exclusive create fails with EEXIST");

    fd = open(in_dir(dir, "notes.txt"), O_RDWR);
    expect(fd >= 0, "reopen read-write");
    expect(lseek(fd, 10, SEEK_SET) == 10, "seek to 10");
    char buffer[32] = {0};
    expect(read(fd, buffer, 5) == 5 && memcmp(buffer, "abcde", 5) == 0, "read 'abcde' at 10");
    expect(lseek(fd, -3, SEEK_END) == 18, "seek to 3 before the end");
    expect(write(fd, "XY", 2) == 2, "overwrite two bytes");
    expect(ftruncate(fd, 12) == 0, "truncate to 12 bytes");
    struct stat st;
    expect(fstat(fd, &st) == 0 && st.st_size == 12 && S_ISREG(st.st_mode), "fstat: regular, 12 bytes");
    expect(pread(fd, buffer, sizeof buffer, 0) == 12 && memcmp(buffer, "0123456789ab", 12) == 0,
           "pread the 12 bytes");
    expect(close(fd) == 0, "close");

    expect(mkdir(in_dir(dir, "sub"), 0755) == 0, "mkdir sub");
    expect(mkdir(in_dir(dir, "sub"), 0755) != 0 && errno == EEXIST, "mkdir sub again fails with EEXIST");
    expect(rename(in_dir(dir, "notes.txt"), in_dir(dir, "sub/moved.txt")) == 0, "rename into sub");
    expect(access(in_dir(dir, "notes.txt"), F_OK) != 0 && errno == ENOENT, "old name is gone (ENOENT)");
    FILE *f = fopen(in_dir(dir, "sub/log.txt"), "a");
    expect(f != NULL, "fopen for append");
    fprintf(f, "first\n");
    fclose(f);
    f = fopen(in_dir(dir, "sub/log.txt"), "a");
    expect(f != NULL, "fopen for append again");
    fprintf(f, "second\n");
    fclose(f);
    list(dir);
    char sub[512];
    snprintf(sub, sizeof sub, "%s/sub", dir);
    list(sub);

    expect(rmdir(sub) != 0 && errno == ENOTEMPTY, "rmdir of a non-empty directory fails (ENOTEMPTY)");
    expect(unlink(in_dir(dir, "sub/moved.txt")) == 0, "unlink moved.txt");
    expect(open(in_dir(dir, "../outside.txt"), O_CREAT | O_WRONLY, 0644) < 0,
           "creating a file outside the grant is refused");
    expect(open("/etc/passwd", O_RDONLY) < 0, "an absolute host path is unreachable");

    struct timespec t0, t1;
    expect(clock_gettime(CLOCK_MONOTONIC, &t0) == 0 && clock_gettime(CLOCK_MONOTONIC, &t1) == 0 &&
               (t1.tv_sec > t0.tv_sec || (t1.tv_sec == t0.tv_sec && t1.tv_nsec >= t0.tv_nsec)),
           "the monotonic clock does not go back");
    expect(clock_gettime(CLOCK_REALTIME, &t0) == 0 && t0.tv_sec > 946684800 - 1,
           "the wall clock is at or after 2000-01-01");
    unsigned char random_bytes[64] = {0};
    int nonzero = 0;
    expect(getentropy(random_bytes, sizeof random_bytes) == 0, "getentropy 64 bytes");
    for (size_t i = 0; i < sizeof random_bytes; i++)
        nonzero |= random_bytes[i];
    expect(nonzero != 0, "the random bytes are not all zero");
    list(dir);
    list(sub);
    return 0;
}
