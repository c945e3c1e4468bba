export declare const INSTALL_HINT: string;
export declare function findBrowser(env?: NodeJS.ProcessEnv): { path: string; reason: null } | { path: null; reason: string };
export declare function isBrandedChrome(path: string): boolean;
