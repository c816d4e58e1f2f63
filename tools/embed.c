/*
 * embed: turn a reference data file (data/ files) into a C source file so
 * that the library carries its tables without depending on an install path.
 * The data file stays the single source of truth; this is a build step.
 *
 * usage: eg_embed INPUT SYMBOL OUTPUT.c
 * defines: const unsigned char eg__data_SYMBOL[]; const size_t
 * eg__data_SYMBOL_len;  (the array is NUL-terminated, the length excludes it)
 */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: eg_embed INPUT SYMBOL OUTPUT.c\n");
        return 2;
    }
    FILE *in = fopen(argv[1], "rb");
    if (!in) {
        perror(argv[1]);
        return 1;
    }
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", argv[3]);
    FILE *out = fopen(tmp, "wb");
    if (!out) {
        perror(tmp);
        fclose(in);
        return 1;
    }
    fprintf(out, "#include <stddef.h>\nconst unsigned char eg__data_%s[] = {",
            argv[2]);
    size_t n = 0;
    int c;
    while ((c = fgetc(in)) != EOF) {
        fprintf(out, "%s%d,", (n % 24 == 0) ? "\n" : "", c);
        n++;
    }
    fprintf(out, "0};\nconst size_t eg__data_%s_len = %zu;\n", argv[2], n);
    fclose(in);
    if (fclose(out) != 0 || rename(tmp, argv[3]) != 0) {
        perror(argv[3]);
        return 1;
    }
    return 0;
}
