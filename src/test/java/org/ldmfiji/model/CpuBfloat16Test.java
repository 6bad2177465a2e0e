package org.ldmfiji.model;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** A bfloat16 bundle is refused on a CPU with AVX-512 BF16 (libtorch 2.7.1 computes it wrongly), with the ways out. */
class CpuBfloat16Test {

	@TempDir
	Path dir;

	private Path cpuinfo(String flags) throws IOException {
		return Files.writeString(dir.resolve("cpuinfo"), "processor\t: 0\nmodel name\t: AMD EPYC\nflags\t\t: " + flags + "\n\n");
	}

	@Test
	void aBfloat16BundleIsRefusedOnAnAvx512Bf16CpuWithTheWaysOut() throws IOException {
		Path zen4 = cpuinfo("fpu sse2 avx2 avx512f avx512_bf16 avx512_vnni");
		String message = CpuBfloat16.problem("demo-bf16", "bfloat16", Device.cpu(), zen4, Map.of());
		assertTrue(message != null && message.contains("demo-bf16") && message.contains("float32 bundle")
			&& message.contains("--device gpu") && message.contains("DNNL_MAX_CPU_ISA=AVX2"), "got " + message);
	}

	@Test
	void everythingElseRuns() throws IOException {
		Path zen4 = cpuinfo("fpu sse2 avx2 avx512f avx512_bf16");
		Path older = cpuinfo("fpu sse2 avx2 avx512f avx512bw");
		assertNull(CpuBfloat16.problem("m", "bfloat16", Device.cpu(), zen4, Map.of("DNNL_MAX_CPU_ISA", "AVX2")));
		assertNull(CpuBfloat16.problem("m", "bfloat16", Device.cpu(), older, Map.of()));
		assertNull(CpuBfloat16.problem("m", "float32", Device.cpu(), zen4, Map.of()));
		assertNull(CpuBfloat16.problem("m", "float16", Device.cpu(), zen4, Map.of()));
		assertNull(CpuBfloat16.problem("m", "bfloat16", Device.gpu(), zen4, Map.of()));
		assertNull(CpuBfloat16.problem("m", "bfloat16", Device.cpu(), dir.resolve("missing"), Map.of()));
	}
}
