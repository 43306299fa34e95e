# Run by programs.sh: writes a 12-file C project and its Makefile.
mkdir -p proj
for i in $(seq 1 12); do
    printf 'int f%s(int x) { int s = 0; for (int i = 0; i < x; i++) s += i * %s; return s; }\n' $i $i > proj/f$i.c
done
{
    printf '#include <stdio.h>\n'
    for i in $(seq 1 12); do printf 'int f%s(int);\n' $i; done
    printf 'int main(void) { long t = 0;\n'
    for i in $(seq 1 12); do printf 't += f%s(%s00);\n' $i $i; done
    printf 'printf("total %%ld\\n", t); return 0; }\n'
} > proj/main.c
printf 'OBJ := $(patsubst %%.c,%%.o,$(wildcard *.c))\napp: $(OBJ)\n\t$(CC) -o $@ $(OBJ)\n%%.o: %%.c\n\t$(CC) -O2 -c $< -o $@\n' > proj/Makefile
