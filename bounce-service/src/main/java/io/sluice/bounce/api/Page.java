package io.sluice.bounce.api;

import java.util.List;

/**
 * One page of a list endpoint. Every list takes {@code page} (0-based, default 0) and {@code size}
 * (default 50, at most {@code sluice.bounce.api.max-page-size}).
 *
 * @param total how many items match in all pages
 */
public record Page<T>(List<T> items, int page, int size, long total) {}
