/**
 * The live dojo room, mounted by the app's router at `/dojos/<dojoId>/live` (see web/README.md). The page
 * owns everything inside `root`; the returned cleanup (also callable as `.destroy()`) leaves the room,
 * releases the camera and microphone and empties `root`.
 */
import './room.css';
import type { RoomContext } from './model.ts';
import { RoomPage } from './page.ts';

export type RoomCleanup = (() => void) & { destroy(): void };

export function mountRoom(root: HTMLElement, options: RoomContext): RoomCleanup {
  const page = new RoomPage(root, options);
  void page.start();
  const cleanup = () => page.destroy();
  return Object.assign(cleanup, { destroy: cleanup });
}
