/**
 * Implementation details of tip-core. Not exported; not API.
 */
package dev.tip.core.internal;
