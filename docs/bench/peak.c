// peak.c: the measured arithmetic ceiling of this CPU per instruction kind, on T threads.
// fp32 FMA (vfmadd231ps zmm: 32 FLOP), int8 VNNI (vpdpbusd zmm: 64 MACs = 128 OP), bf16 (vdpbf16ps zmm: 64 FLOP).
// Build and run: gcc -O2 -march=native -pthread docs/bench/peak.c -o /tmp/peak; /tmp/peak THREADS KIND (KIND 0 fp32, 1 int8, 2 bf16).
// Needs AVX-512 (F, VNNI, BF16). Twelve independent accumulators per thread cover the instructions' latency.
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#define ITERS 2000000000L
static int kind;
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
static void* work(void* p){
  volatile float sink;
  if(kind==0){
    __m512 a[12]; __m512 b=_mm512_set1_ps(1.0000001f), c=_mm512_set1_ps(1e-7f);
    for(int i=0;i<12;i++) a[i]=_mm512_set1_ps((float)i);
    for(long n=0;n<ITERS/10;n++){
      #pragma GCC unroll 12
      for(int i=0;i<12;i++) a[i]=_mm512_fmadd_ps(a[i],b,c);
    }
    __m512 s=a[0]; for(int i=1;i<12;i++) s=_mm512_add_ps(s,a[i]); sink=_mm512_reduce_add_ps(s);
  } else if(kind==1){
    __m512i a[12]; __m512i b=_mm512_set1_epi8(1), c=_mm512_set1_epi8(2);
    for(int i=0;i<12;i++) a[i]=_mm512_set1_epi32(i);
    for(long n=0;n<ITERS/10;n++){
      #pragma GCC unroll 12
      for(int i=0;i<12;i++) a[i]=_mm512_dpbusd_epi32(a[i],b,c);
    }
    __m512i s=a[0]; for(int i=1;i<12;i++) s=_mm512_add_epi32(s,a[i]); sink=(float)_mm512_reduce_add_epi32(s);
  } else {
    __m512 a[12]; __m512bh b=(__m512bh)_mm512_set1_epi16(0x3f80), c=(__m512bh)_mm512_set1_epi16(0x3380);
    for(int i=0;i<12;i++) a[i]=_mm512_set1_ps((float)i);
    for(long n=0;n<ITERS/10;n++){
      #pragma GCC unroll 12
      for(int i=0;i<12;i++) a[i]=_mm512_dpbf16_ps(a[i],b,c);
    }
    __m512 s=a[0]; for(int i=1;i<12;i++) s=_mm512_add_ps(s,a[i]); sink=_mm512_reduce_add_ps(s);
  }
  (void)sink; return 0;
}
int main(int argc,char**argv){
  int T=atoi(argv[1]); kind=atoi(argv[2]);
  const char* names[]={"fp32 FMA GFLOP/s","int8 VNNI GOP/s","bf16 dot GFLOP/s"};
  double per[]={32,128,64};
  pthread_t th[64]; double t0=now();
  for(int i=0;i<T;i++) pthread_create(&th[i],0,work,0);
  for(int i=0;i<T;i++) pthread_join(th[i],0);
  double dt=now()-t0; double ops=(double)T*(ITERS/10)*12*per[kind];
  printf("%s on %d threads: %.0f (%.2f s)\n",names[kind],T,ops/dt/1e9,dt);
}
