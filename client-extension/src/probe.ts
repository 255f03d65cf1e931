// Running a candidate Python for the server (no `vscode` import: the unit tests run it for real).
import { execFile } from 'node:child_process';
import { parseVersion, ProbeResult, PROBE_CODE } from './interpreter';

/**
 * Runs a candidate Python with the bundled server on its path: prints version and executable,
 * then imports the server's packages. A version is reported even when the imports fail.
 */
export function probePython(command: string, env: NodeJS.ProcessEnv, cwd: string): Promise<ProbeResult> {
  return new Promise((resolve) => {
    execFile(command, ['-c', PROBE_CODE], { env, cwd, timeout: 20000 }, (error, stdout, stderr) => {
      const lines = String(stdout).split(/\r?\n/);
      const version = parseVersion(lines[0] ?? '');
      const executable = lines[1]?.trim() || undefined;
      if (error) {
        const code = (error as NodeJS.ErrnoException).code;
        const lastLine = String(stderr).trim().split(/\r?\n/).pop();
        const reason =
          code === 'ENOENT'
            ? 'not found'
            : error.killed
              ? 'did not answer within 20 s'
              : lastLine || error.message;
        resolve({ version, executable, error: reason });
        return;
      }
      resolve({ version, executable });
    });
  });
}
