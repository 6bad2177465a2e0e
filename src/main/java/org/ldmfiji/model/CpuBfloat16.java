package org.ldmfiji.model;

import ai.djl.Device;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;

/**
 * Guards bfloat16 bundles on CPUs whose AVX-512 BF16 instructions libtorch 2.7.1 (DJL 0.36's CPU build) computes
 * wrongly: on an AMD EPYC (Zen 4, flag {@code avx512_bf16}) the bfloat16 3x3 convolution of
 * {@code HalfPrecisionPartTest} differs from its float32 original by 37 % of the output range (PyTorch 1.13 on the
 * same machine: 0.3 %). oneDNN limited to AVX2 ({@code DNNL_MAX_CPU_ISA=AVX2}) gives 0.3 % again; limited to
 * AVX512_CORE it is still wrong. A bfloat16 bundle is therefore refused on such a CPU unless the environment limits
 * oneDNN's instruction set, with a message that names the ways out.
 */
final class CpuBfloat16 {

	/** The environment variable with which oneDNN's instruction set is limited. */
	static final String ISA_VARIABLE = "DNNL_MAX_CPU_ISA";

	private CpuBfloat16() {}

	/** Why a bundle of {@code dtype} cannot run on {@code device} here, or null when it can. */
	static String problem(String name, String dtype, Device device) {
		return problem(name, dtype, device, Paths.get("/proc/cpuinfo"), System.getenv());
	}

	static String problem(String name, String dtype, Device device, Path cpuinfo, Map<String, String> env) {
		if (!"bfloat16".equals(dtype) || !Device.Type.CPU.equals(device.getDeviceType())) return null;
		if (env.get(ISA_VARIABLE) != null || !CpuFlags.has(cpuinfo, "avx512_bf16")) return null;
		return "model '" + name + "' computes in bfloat16, which libtorch gets wrong on this CPU (AVX-512 BF16): use its "
			+ "float32 bundle on the CPU, run it on the GPU (--device gpu), or start with " + ISA_VARIABLE + "=AVX2 in the "
			+ "environment";
	}
}
