import { LocalRoomsBackplane } from '../../server/adapters/rooms-local/index.ts';
import { roomsContract } from './rooms.contract.ts';

roomsContract('rooms-local', async () => {
  const adapter = new LocalRoomsBackplane();
  return { adapter, peer: adapter, cleanup: () => adapter.close() };
});
