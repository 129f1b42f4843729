// `import styles from './X.module.css'`: Vite's own typing (a class name to its scoped name).
/// <reference types="vite/client" />
