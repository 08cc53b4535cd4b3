/*
 * args-file: counts lines, words and bytes of a file named on the command
 * line, like `wc`, and optionally writes the counts to a second file.
 *
 *   args-file INPUT [OUTPUT]
 *
 * It exercises argv, opening a file inside a directory granted with
 * `--dir`, reading, creating and writing a file, stderr, and the exit code:
 *   0  counted (and written)
 *   1  wrong number of arguments
 *   2  INPUT cannot be opened or read
 *   3  OUTPUT cannot be created or written
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

struct counts {
    unsigned long lines, words, bytes;
};

static int count_stream(FILE *in, struct counts *c) {
    int in_word = 0;
    int ch;
    while ((ch = getc(in)) != EOF) {
        c->bytes++;
        if (ch == '\n')
            c->lines++;
        if (isspace(ch)) {
            in_word = 0;
        } else if (!in_word) {
            in_word = 1;
            c->words++;
        }
    }
    return ferror(in) ? -1 : 0;
}

int main(int argc, char **argv) {
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: args-file INPUT [OUTPUT]\n");
        return 1;
    }
    printf("arguments:");
    for (int i = 1; i < argc; i++)
        printf(" [%s]", argv[i]);
    printf("\n");

    FILE *in = fopen(argv[1], "r");
    if (!in) {
        fprintf(stderr, "args-file: cannot open %s: %s\n", argv[1], strerror(errno));
        return 2;
    }
    struct counts c = {0, 0, 0};
    int read_failed = count_stream(in, &c);
    fclose(in);
    if (read_failed) {
        fprintf(stderr, "args-file: cannot read %s\n", argv[1]);
        return 2;
    }
    printf("%s: %lu lines, %lu words, %lu bytes\n", argv[1], c.lines, c.words, c.bytes);

    if (argc == 3) {
        FILE *out = fopen(argv[2], "w");
        if (!out) {
            fprintf(stderr, "args-file: cannot create %s: %s\n", argv[2], strerror(errno));
            return 3;
        }
        int written = fprintf(out, "%lu %lu %lu %s\n", c.lines, c.words, c.bytes, argv[1]);
        if (fclose(out) != 0 || written < 0) {
            fprintf(stderr, "args-file: cannot write %s\n", argv[2]);
            return 3;
        }
        printf("wrote %s\n", argv[2]);
    }
    return 0;
}
