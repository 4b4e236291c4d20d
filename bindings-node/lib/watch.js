'use strict';
// Reloading a policy when one of its files changes (Verifier.fromFile(path, { watch: true })).
//
// fs.watch watches the *folders* that hold the policy file and every file it references
// (and each referenced folder): Kubernetes updates a mounted Secret or ConfigMap by
// renaming a new `..data` symlink over the old one, and editors write a temporary file
// and rename it over the original, so the watched file itself is never written in
// place and a watch on it would go silent. A change in those folders is debounced, then
// the files' signature (inode, size, mtime of each path, symlinks followed; a folder's
// listing) is compared with the last one, and only a real change reloads. The folders
// are watched again after every reload: the set of files may have changed.

const fs = require('node:fs');
const path = require('node:path');
const { describe } = require('./convert');

/** What a path is now: a signature that changes when its content can have changed. */
function signatureOf(file) {
  try {
    const stat = fs.statSync(file);
    if (!stat.isDirectory()) return `${file}:${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeMs}`;
    const entries = fs.readdirSync(file).sort();
    return `${file}/:${entries.map((entry) => signatureOf(path.join(file, entry))).join('|')}`;
  } catch (error) {
    return `${file}:${error.code}`;
  }
}

function signature(paths) {
  return paths.map(signatureOf).join('\n');
}

/** The folders to watch for `paths`: each path's folder, and each path that is a folder. */
function foldersOf(paths) {
  const folders = new Set();
  for (const file of paths) {
    folders.add(path.dirname(file));
    try {
      if (fs.statSync(file).isDirectory()) folders.add(file);
    } catch {
      // Gone for now: its folder's watch sees it come back.
    }
  }
  return folders;
}

/** Checks the options of fromFile(path, options); returns them with their defaults. */
function watchOptions(options) {
  if (options === undefined) return { watch: false };
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`options must be an object like { watch: true }, not ${describe(options)}`);
  }
  const known = ['watch', 'debounceMs', 'onReload', 'onError'];
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new TypeError(`options.${key} is not an option (${known.join(', ')})`);
  }
  if (options.watch !== undefined && typeof options.watch !== 'boolean') {
    throw new TypeError(`options.watch must be a boolean, not ${describe(options.watch)}`);
  }
  for (const hook of ['onReload', 'onError']) {
    if (options[hook] !== undefined && typeof options[hook] !== 'function') {
      throw new TypeError(`options.${hook} must be a function, not ${describe(options[hook])}`);
    }
  }
  const debounceMs = options.debounceMs ?? 100;
  if (!Number.isFinite(debounceMs) || debounceMs < 0) {
    throw new TypeError(`options.debounceMs must be a number of milliseconds, not ${describe(debounceMs)}`);
  }
  return { ...options, watch: options.watch === true, debounceMs };
}

/**
 * Watches the files of `verifier`'s policy and reloads it when they change; returns
 * `{ close() }`. `onReload(generation)` follows each reload; `onError(error)` a reload
 * that failed (the policy in force stays; default: a console warning). Watches do not
 * keep the process alive.
 */
function watchPolicy(verifier, { debounceMs, onReload, onError }) {
  const report = onError ?? ((error) => console.warn(`certgate: the policy was not reloaded: ${error.message}`));
  const watchers = new Map();
  let last = signature(verifier.watchedPaths);
  let timer = null;
  let closed = false;

  const reloadIfChanged = () => {
    timer = null;
    if (closed) return;
    const now = signature(verifier.watchedPaths);
    if (now !== last) {
      try {
        verifier.reloadFromFile();
        last = signature(verifier.watchedPaths);
        onReload?.(verifier.generation);
      } catch (error) {
        // Keep the old signature: the next change (the rest of the update) tries again.
        report(error);
      }
    }
    watchFolders();
  };

  const changed = () => {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(reloadIfChanged, debounceMs);
    timer.unref();
  };

  function watchFolders() {
    const wanted = foldersOf(verifier.watchedPaths);
    for (const [folder, watcher] of watchers) {
      if (!wanted.has(folder)) {
        watcher.close();
        watchers.delete(folder);
      }
    }
    for (const folder of wanted) {
      if (watchers.has(folder)) continue;
      try {
        const watcher = fs.watch(folder, { persistent: false }, changed);
        // A watched folder that goes away ends its watch; the next reload watches anew.
        watcher.on('error', () => {
          watcher.close();
          watchers.delete(folder);
          changed();
        });
        watchers.set(folder, watcher);
      } catch (error) {
        report(error);
      }
    }
  }

  watchFolders();
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
    },
  };
}

module.exports = { watchOptions, watchPolicy };
