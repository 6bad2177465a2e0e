package org.ldmfiji.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Platform;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;

/**
 * glibc's malloc settings for the forwards ({@link NativeAllocator}): applied once the engine runs, on Linux with
 * glibc, unless the user set glibc's own variables or turned them off. What they buy is measured by {@code ./ldm
 * bench --scaling} (its {@code faults} column: minor page faults per step).
 */
class NativeAllocatorTest {

	@Test
	void theUsersOwnMallocSettingsOrTheSwitchTurnItOff() {
		assertTrue(NativeAllocator.wanted(Map.of("PATH", "/usr/bin"), null));
		assertTrue(NativeAllocator.wanted(Map.of(), "true"));
		assertFalse(NativeAllocator.wanted(Map.of(), "false"));
		assertFalse(NativeAllocator.wanted(Map.of("MALLOC_ARENA_MAX", "2"), null), "the user's variable wins");
		assertFalse(NativeAllocator.wanted(Map.of("MALLOC_MMAP_MAX_", "0"), null));
		assertFalse(NativeAllocator.wanted(Map.of("GLIBC_TUNABLES", "glibc.malloc.trim_threshold=1"), null));
	}

	@Test
	void executorsGetTheJobsOwnSettingsElseTheDriversElseThoseOfTheLauncher() {
		assertEquals(NativeAllocator.ENVIRONMENT, NativeAllocator.forExecutors(Map.of("PATH", "/usr/bin"), Set.of("FOO")));
		assertEquals("1", NativeAllocator.ENVIRONMENT.get("MALLOC_ARENA_MAX"));
		assertEquals(Map.of("MALLOC_ARENA_MAX", "4"), NativeAllocator.forExecutors(Map.of("MALLOC_ARENA_MAX", "4", "HOME",
			"/root"), Set.of()), "the driver's own glibc variables go to the executors");
		assertEquals(Map.of(), NativeAllocator.forExecutors(Map.of(), Set.of("GLIBC_TUNABLES")), "the job's own choice wins");
		assertEquals(Map.of(), NativeAllocator.forExecutors(Map.of("MALLOC_ARENA_MAX", "1"), Set.of("MALLOC_TOP_PAD_")));
	}

	@Test
	void theEngineStartAppliesThemOnLinuxWithGlibc() {
		assumeTrue(Platform.isLinux() && NativeAllocator.wanted(System.getenv(),
			System.getProperty(NativeAllocator.PROPERTY)), "not Linux, or the user's own malloc settings");
		TorchRuntime.engine();
		assertEquals(Boolean.TRUE, NativeAllocator.state(), "mallopt(M_MMAP_MAX) and mallopt(M_TRIM_THRESHOLD) in force");
		assertEquals(NativeAllocator.apply(), NativeAllocator.apply(), "once per process");
	}
}
