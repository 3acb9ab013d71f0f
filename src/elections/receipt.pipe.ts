import { BadRequestException, PipeTransform } from '@nestjs/common';

/** A receipt is 64 hex digits. */
export class ReceiptPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (typeof value !== 'string' || !/^[0-9a-fA-F]{64}$/.test(value)) {
      throw new BadRequestException('A receipt is 64 hexadecimal digits');
    }
    return value.toLowerCase();
  }
}
