#include <stdio.h>
int main(void) { puts("rdrop"); return 0; }
