// The platform's public API; filled by the platform-core work.
export {};
