/** The part of unzipper 0.10 (a dependency of exceljs) that read-xlsx.ts uses; the package ships no types. */
declare module 'unzipper' {
  import type { Readable } from 'node:stream';

  namespace unzipper {
    interface File {
      path: string;
      type: 'File' | 'Directory';
      uncompressedSize: number;
      stream(password?: string): Readable;
    }
    interface CentralDirectory {
      files: File[];
    }
  }
  const unzipper: {
    Open: { file(path: string): Promise<unzipper.CentralDirectory> };
  };
  export default unzipper;
}
