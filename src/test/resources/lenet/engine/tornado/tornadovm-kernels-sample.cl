#pragma OPENCL EXTENSION cl_khr_fp64 : enable  
#pragma OPENCL EXTENSION cl_khr_fp16 : enable  
#pragma OPENCL EXTENSION cl_khr_int64_base_atomics : enable  
__kernel void seek(__global long *_kernel_context, __constant uchar *_constant_region, __local uchar *_local_region, __global int *_atomics, __global uchar *cursor, __global uchar *start)
{
  int i_2; 
  ulong ul_0, ul_1; 

  // BLOCK 0
  ul_0  =  (ulong) cursor;
  ul_1  =  (ulong) start;
  i_2  =  *((__global int *) (ul_1 + 24L));
  *((__global int *) (ul_0 + 24L))  =  i_2;
  return;
}  //  kernel

#pragma OPENCL EXTENSION cl_khr_fp64 : enable  
#pragma OPENCL EXTENSION cl_khr_fp16 : enable  
#pragma OPENCL EXTENSION cl_khr_int64_base_atomics : enable  
__kernel void forward(__global long *_kernel_context, __constant uchar *_constant_region, __local uchar *_local_region, __global int *_atomics, __global uchar *x, __global uchar *y, __private int size)
{
  int i_3, i_4, i_5; 
  ulong ul_0, ul_1; 

  // BLOCK 0
  ul_0  =  (ulong) x;
  ul_1  =  (ulong) y;
  i_3  =  get_global_id(0);
  // BLOCK 1 MERGES [0 2 ]
  i_4  =  i_3;
  for(;i_4 < 1536;)
  {
    // BLOCK 2
    i_5  =  i_4 + get_global_size(0);
    i_4  =  i_5;
  }  // B2
  // BLOCK 3
  return;
}  //  kernel

#pragma OPENCL EXTENSION cl_khr_fp64 : enable  
#pragma OPENCL EXTENSION cl_khr_fp16 : enable  
#pragma OPENCL EXTENSION cl_khr_int64_base_atomics : enable  
__kernel void forward(__global long *_kernel_context, __constant uchar *_constant_region, __local uchar *_local_region, __global int *_atomics, __global uchar *in, __global uchar *out, __private int n, __private int c, __private int h, __private int w)
{
  int i_6, i_7; 

  // BLOCK 0
  i_6  =  get_global_id(1);
  i_7  =  get_global_id(0);
  return;
}  //  kernel

