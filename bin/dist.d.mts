// Types of bin/dist.mjs for the TypeScript that imports it (tests).
export declare const ROOT: string;
export declare const DIST: string;
export declare function sourceFiles(): string[];
export declare function isStale(): boolean;
export declare function build(): Promise<{ files: number; ms: number }>;
export declare function ensureBuilt(): Promise<void>;
