/** The embedded-server sample: a TIP server inside an ordinary Java program. */
package dev.tip.samples.embedded;
