// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

interface IERC721 {
    function transferFrom(address from, address to, uint256 tokenId) external;
    function ownerOf(uint256 tokenId) external view returns (address);
}

/// @title EnglishAuctionHouse
/// @notice Sellers escrow an NFT and accept ether bids until a deadline.
contract EnglishAuctionHouse {
    struct Auction {
        address seller;
        address nft;
        uint256 tokenId;
        uint256 highestBid;
        address highestBidder;
        uint256 endTime;
        bool settled;
    }

    uint256 public constant MIN_INCREMENT_BPS = 500;
    uint256 public feeBps = 250;
    address public treasury;
    uint256 public nextAuctionId;
    mapping(uint256 => Auction) public auctions;
    mapping(address => uint256) public pendingReturns;

    event AuctionCreated(uint256 indexed id, address indexed seller, uint256 endTime);
    event BidPlaced(uint256 indexed id, address indexed bidder, uint256 amount);
    event AuctionSettled(uint256 indexed id, address winner, uint256 amount);

    constructor(address _treasury) {
        treasury = _treasury;
    }

    function createAuction(address nft, uint256 tokenId, uint256 duration) external returns (uint256 id) {
        IERC721(nft).transferFrom(msg.sender, address(this), tokenId);
        id = nextAuctionId++;
        uint256 endTime = block.timestamp + duration;
        auctions[id] = Auction(msg.sender, nft, tokenId, 0, address(0), endTime, false);
        emit AuctionCreated(id, msg.sender, endTime);
    }

    function bid(uint256 id) external payable {
        Auction storage a = auctions[id];
        require(block.timestamp < a.endTime, "auction over");
        uint256 minBid = a.highestBid + (a.highestBid * MIN_INCREMENT_BPS) / 10000;
        require(msg.value > minBid, "bid too low");

        if (a.highestBidder != address(0)) {
            // refund the previous bidder directly
            (bool ok, ) = a.highestBidder.call{value: a.highestBid}("");
            require(ok, "refund failed");
        }
        a.highestBid = msg.value;
        a.highestBidder = msg.sender;
        emit BidPlaced(id, msg.sender, msg.value);
    }

    function settle(uint256 id) external {
        Auction storage a = auctions[id];
        require(block.timestamp >= a.endTime, "not ended");
        require(!a.settled, "settled");

        if (a.highestBidder == address(0)) {
            a.settled = true;
            IERC721(a.nft).transferFrom(address(this), a.seller, a.tokenId);
            return;
        }
        uint256 fee = (a.highestBid * feeBps) / 10000;
        (bool sent, ) = a.seller.call{value: a.highestBid - fee}("");
        require(sent, "seller payment failed");
        payable(treasury).transfer(fee);
        IERC721(a.nft).transferFrom(address(this), a.highestBidder, a.tokenId);
        a.settled = true;
        emit AuctionSettled(id, a.highestBidder, a.highestBid);
    }

    function withdraw() external {
        uint256 amount = pendingReturns[msg.sender];
        pendingReturns[msg.sender] = 0;
        (bool ok, ) = msg.sender.call{value: amount}("");
        require(ok, "withdraw failed");
    }

    function setFee(uint256 newFeeBps) external {
        feeBps = newFeeBps;
    }

    function setTreasury(address newTreasury) external {
        require(msg.sender == treasury, "only treasury");
        treasury = newTreasury;
    }
}
