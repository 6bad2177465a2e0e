package org.ldmfiji.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The GPU part of LDM Engine Info and the choice of libtorch, on fake machines (a temp folder as the file system root,
 * a fake DJL cache): a user without a GPU, with a driver but the update site's CPU jar, without a CUDA runtime, and with
 * DJL's CUDA libtorch in the cache, each gets the reason and the step that applies to them.
 */
class GpuSetupTest {

	@TempDir
	Path root;

	private final Map<String, String> env = new HashMap<>();

	private CudaProbe probe(Optional<String> smi) {
		return new CudaProbe(false, root, env, root.resolve("home/.djl.ai/pytorch"), () -> smi);
	}

	private void driver() throws IOException {
		Path v = root.resolve("proc/driver/nvidia/version");
		Files.createDirectories(v.getParent());
		Files.writeString(v, "NVRM version: NVIDIA UNIX x86_64 Kernel Module  580.159.03  Thu Oct  2 2025\n"
			+ "GCC version:  gcc version 12.2.0\n");
	}

	private Path touch(String path) throws IOException {
		Path p = root.resolve(path);
		Files.createDirectories(p.getParent());
		Files.writeString(p, "");
		return p;
	}

	private Path cachedCudaLibtorch(boolean jni) throws IOException {
		return cachedCudaLibtorch("cu128", jni);
	}

	private Path cachedCudaLibtorch(String flavor, boolean jni) throws IOException {
		String d = "home/.djl.ai/pytorch/2.7.1-" + flavor + "-linux-x86_64/";
		Path dir = root.resolve(d);
		touch(d + "libtorch.so");
		touch(d + "libtorch_cuda.so");
		touch(d + "libcudart-218eec4c.so.12");
		if (jni) touch(d + "0.36.0-libdjl_torch.so");
		touch("home/.djl.ai/pytorch/2.7.1-20250812-cpu-linux-x86_64/libtorch.so");
		return dir;
	}

	private static String report(CudaProbe probe, GpuSetup setup, int gpus) {
		return String.join("\n", EngineInfo.gpuLines(probe, setup, gpus, "/home/u/.djl.ai/pytorch/2.7.1-20250812-cpu-linux-x86_64"));
	}

	@Test
	void noDriverSaysSoAndNamesTheDriverInstall() {
		CudaProbe p = probe(Optional.empty());
		GpuSetup s = GpuSetup.decide(p, true, null, null);
		assertTrue(s.properties.isEmpty(), "nothing to change for DJL: " + s.properties);
		String r = report(p, s, 0);
		assertTrue(r.contains("driver:  no NVIDIA driver found"), r);
		assertTrue(r.contains("flavour: CPU (libtorch from 2.7.1-20250812-cpu-linux-x86_64), because no NVIDIA driver found"), r);
		assertTrue(r.contains("to use the GPU: this machine shows no NVIDIA GPU: install the NVIDIA driver (Linux)"), r);
	}

	@Test
	void driverWithTheCpuJarNamesTheJarAndWhereACudaLibtorchGoes() throws IOException {
		driver();
		Path cudart = touch("usr/local/cuda/lib64/libcudart.so.12");
		CudaProbe p = probe(Optional.empty());
		GpuSetup s = GpuSetup.decide(p, true, null, null);
		assertTrue(s.properties.isEmpty());
		String r = report(p, s, 0);
		assertTrue(r.contains("driver:  NVIDIA 580.159.03 (" + root.resolve("proc/driver/nvidia/version") + ")"), r);
		assertTrue(r.contains("cuda:    [" + cudart + "]"), r);
		assertTrue(r.contains("because the pytorch-native-cpu jar on the class path wins over CUDA"), r);
		assertTrue(r.contains("to use the GPU: fetch DJL's CUDA libtorch once: start online with PYTORCH_FLAVOR=cu128 and "
			+ "the pytorch-native-cpu jar moved out of the class path (Fiji.app/jars/linux64); DJL puts it in "
			+ root.resolve("home/.djl.ai/pytorch/2.7.1-cu128-linux-x86_64") + " and the plugin prefers it"), r);
	}

	@Test
	void driverWithoutCudaRuntimeSaysDjlSeesNoGpu() {
		CudaProbe p = probe(Optional.of("NVIDIA H200, 580.159.03"));
		GpuSetup s = GpuSetup.decide(p, false, null, null);
		String r = report(p, s, 0);
		assertTrue(r.contains("driver:  NVIDIA NVIDIA H200, 580.159.03 (nvidia-smi)"), r);
		assertTrue(r.contains("cuda:    no CUDA runtime library"), r);
		assertTrue(r.contains("because no CUDA runtime library (libcudart) found, so DJL sees no GPU"), r);
		assertTrue(r.contains("to use the GPU: set PYTORCH_FLAVOR=cu128"), r);
	}

	@Test
	void aCachedCudaLibtorchWinsOverTheCpuJar() throws IOException {
		driver();
		Path dir = cachedCudaLibtorch(true);
		Path cudart = touch("opt/cuda13/lib/libcudart.so.13");
		env.put("LD_LIBRARY_PATH", cudart.getParent().toString());
		CudaProbe p = probe(Optional.empty());
		GpuSetup s = GpuSetup.decide(p, true, null, "/opt/jna");
		assertEquals(Map.of("PYTORCH_LIBRARY_PATH", dir.toString(), "PYTORCH_FLAVOR", "cu128",
			"jna.library.path", "/opt/jna:" + cudart.getParent()), s.properties);
		assertTrue(s.cudaExpected);
		String r = report(p, s, 1);
		assertTrue(r.contains("flavour: CUDA, 1 GPU(s) in use"), r);
		assertTrue(r.contains("the plugin chose the CUDA libtorch " + dir + " over the pytorch-native-cpu jar"), r);
		assertFalse(r.contains("to use the GPU"), r);
	}

	@Test
	void aCudaLibtorchWithoutJniGlueIsChosenOnlyAsCu128WhoseGlueThePytorchJniJarCarries() throws IOException {
		driver();
		cachedCudaLibtorch("cu124", false);
		GpuSetup s = GpuSetup.decide(probe(Optional.empty()), true, null, null);
		assertTrue(s.properties.isEmpty());
		assertTrue(s.reason.contains("no libdjl_torch and not cu128: DJL cannot use it"), s.reason);
		Path cu128 = cachedCudaLibtorch("cu128", false);
		s = GpuSetup.decide(probe(Optional.empty()), true, null, null);
		assertEquals(cu128.toString(), s.properties.get("PYTORCH_LIBRARY_PATH"));
		assertEquals("cu128", s.properties.get("PYTORCH_FLAVOR"), "DJL looks up the jar's glue by this flavour");
	}

	@Test
	void theUsersOwnLibraryPathStaysAndIsJudged() throws IOException {
		driver();
		Path own = root.resolve("opt/libtorch/lib");
		touch("opt/libtorch/lib/libtorch.so");
		env.put("PYTORCH_LIBRARY_PATH", own.toString());
		cachedCudaLibtorch(true);
		GpuSetup cpuOnly = GpuSetup.decide(probe(Optional.empty()), true, null, null);
		assertTrue(cpuOnly.properties.isEmpty(), "the user's PYTORCH_LIBRARY_PATH is not overridden");
		assertTrue(cpuOnly.reason.contains("is not a CUDA libtorch with DJL's JNI glue"), cpuOnly.reason);
		touch("opt/libtorch/lib/libtorch_cuda.so");
		touch("opt/libtorch/lib/libdjl_torch.so");
		GpuSetup cuda = GpuSetup.decide(probe(Optional.empty()), true, null, null);
		assertTrue(cuda.cudaExpected, cuda.reason);
		assertTrue(cuda.properties.isEmpty());
	}

	@Test
	void windowsLooksForNvcudaAndCudartDlls() throws IOException {
		touch("Windows/System32/nvcuda.dll");
		Path cudart = touch("cuda/bin/cudart64_12.dll");
		env.put("CUDA_PATH", root.resolve("cuda").toString());
		CudaProbe p = new CudaProbe(true, root, env, root.resolve("djl/pytorch"), Optional::empty);
		assertEquals(Optional.of("found (" + root.resolve("Windows/System32/nvcuda.dll") + ")"), p.driver());
		assertEquals(List.of(cudart), p.cudaRuntimes());
		GpuSetup s = GpuSetup.decide(p, true, null, null);
		assertTrue(s.step.contains("jars\\win64") && s.step.contains("2.7.1-cu128-win-x86_64"), s.step);
	}
}
