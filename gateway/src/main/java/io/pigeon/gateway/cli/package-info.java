/** The {@code pigeon} command line: {@code run}, {@code check}, exit codes, logging and the shutdown hook. */
package io.pigeon.gateway.cli;
