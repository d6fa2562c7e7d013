/** Style sheets are bundled by esbuild: importing one adds it to the console's CSS file. */
declare module '*.css';
