// Types for what Vite gives the app (import.meta.env).
/// <reference types="vite/client" />
